//! `tiangong`: one binary runs the company. See `tiangong --help`.

fn main() -> std::process::ExitCode {
    server::cli::main()
}
