//! The demo company's engineering data, set up on its first day: work centers with their
//! rates and workshops, bills of materials in three levels (stator, rotor and housing into the
//! 1.5 kW motor; motor and reducer into the gear motor; a phantom fastener kit exploded into
//! its bolts, nuts and washers), routings of two to five operations, and the inspection plans
//! (first-article on the 4 kW motor, incoming on copper wire).

use kernel::Result;
use kernel::db::Tx;
use production::quality::{CharacteristicInput, PlanInput};
use production::routing::{OperationInput, RoutingInput, WorkCenterInput};
use production::{BomInput, bom::BomLineInput};

use super::{Story, iso, scaled};

/// Work centers: code, name, workshop, labour and machine rates (CNY/h), overhead (%).
const CENTERS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("WC-PRESS", "冲压中心", "电机车间", "60", "80", "15"),
    ("WC-WIND", "绕线嵌线", "电机车间", "55", "20", "15"),
    ("WC-CNC", "数控加工", "机加车间", "65", "90", "20"),
    ("WC-ASM", "总装线", "装配车间", "50", "10", "15"),
    ("WC-TEST", "出厂试验台", "装配车间", "60", "30", "10"),
];

/// Lines of a BOM: component and quantity per unit made.
type BomLines = &'static [(&'static str, &'static str)];

/// Bills of materials: product, phantom, lines.
pub const BOMS: &[(&str, bool, BomLines)] = &[
    ("SF-FK-M8", true, &[("RM-BT-M8", "4"), ("RM-NT-M8", "4"), ("RM-WS-M8", "8")]),
    ("SF-ST-90", false, &[("RM-SI-050", "6"), ("RM-CU-080", "1.8"), ("RM-VA-1032", "0.2")]),
    ("SF-RT-90", false, &[("RM-SI-050", "3"), ("RM-SH-24", "1"), ("RM-AL-ZL102", "1.2")]),
    ("SF-HS-90", false, &[("RM-AL-6061", "2.5")]),
    (
        "FG-YE3-90L4",
        false,
        &[
            ("SF-ST-90", "1"),
            ("SF-RT-90", "1"),
            ("SF-HS-90", "1"),
            ("RM-BR-6204", "2"),
            ("RM-JB-90", "1"),
            ("RM-NP-01", "1"),
            ("SF-FK-M8", "1"),
        ],
    ),
    (
        "FG-YE3-112M4",
        false,
        &[
            ("RM-SI-050", "22"),
            ("RM-CU-080", "7"),
            ("RM-VA-1032", "0.5"),
            ("RM-SH-24", "1"),
            ("RM-CI-112", "1"),
            ("RM-BR-6205", "2"),
            ("RM-JB-90", "1"),
            ("RM-NP-01", "1"),
            ("SF-FK-M8", "2"),
        ],
    ),
    (
        "FG-RV63",
        false,
        &[
            ("RM-WG-63", "1"),
            ("RM-AL-6061", "3"),
            ("RM-BR-6205", "2"),
            ("RM-OS-35", "2"),
            ("RM-GR-2", "0.3"),
            ("RM-BT-M8", "6"),
        ],
    ),
    ("FG-GM90", false, &[("FG-YE3-90L4", "1"), ("FG-RV63", "1"), ("RM-FL-90", "1"), ("SF-FK-M8", "1")]),
];

/// Operations of a routing: name, work center, run minutes per unit.
type Operations = &'static [(&'static str, &'static str, &'static str)];

const ROUTINGS: &[(&str, Operations)] = &[
    ("SF-ST-90", &[("定子冲片", "WC-PRESS", "1.5"), ("嵌线绕组", "WC-WIND", "6"), ("浸漆烘干", "WC-WIND", "2")]),
    ("SF-RT-90", &[("转子冲片", "WC-PRESS", "1"), ("铸铝转子", "WC-CNC", "3"), ("精车转子", "WC-CNC", "2")]),
    ("SF-HS-90", &[("机座加工", "WC-CNC", "4")]),
    ("FG-YE3-90L4", &[("电机总装", "WC-ASM", "8"), ("出厂试验", "WC-TEST", "3")]),
    (
        "FG-YE3-112M4",
        &[
            ("冲片", "WC-PRESS", "2.5"),
            ("绕线嵌线", "WC-WIND", "12"),
            ("机加工", "WC-CNC", "6"),
            ("总装", "WC-ASM", "14"),
            ("试验", "WC-TEST", "4"),
        ],
    ),
    ("FG-RV63", &[("箱体加工", "WC-CNC", "6"), ("减速机装配", "WC-ASM", "10"), ("跑合试验", "WC-TEST", "3")]),
    ("FG-GM90", &[("减速电机组装", "WC-ASM", "6"), ("整机试验", "WC-TEST", "2")]),
];

/// Work centers, BOMs, routings and inspection plans, on the first day.
pub fn setup(tx: &mut Tx<'_>, story: &mut Story<'_>) -> Result<()> {
    let ctx = story.people.production.clone();
    for (code, name, workshop, labour, machine, overhead) in CENTERS {
        production::routing::save_work_center(
            tx,
            &ctx,
            &WorkCenterInput {
                code: (*code).into(),
                name: (*name).into(),
                capacity: Some(if *code == "WC-ASM" { 2 } else { 1 }),
                hours_per_day: Some(8),
                working_days: Some("1111100".into()),
                labour_rate: Some((*labour).into()),
                machine_rate: Some((*machine).into()),
                overhead: Some((*overhead).into()),
                workshop: Some((*workshop).into()),
            },
        )?;
        story.tick_short();
    }
    for (product, phantom, lines) in BOMS {
        production::create_bom(
            tx,
            &ctx,
            &BomInput {
                product: (*product).into(),
                code: "V1".into(),
                kind: if *phantom { "phantom" } else { "normal" }.into(),
                quantity: None,
                valid_from: Some(iso(story.start)),
                valid_to: None,
                note: String::new(),
                lines: lines
                    .iter()
                    .map(|(component, quantity)| BomLineInput {
                        component: (*component).into(),
                        quantity: (*quantity).into(),
                        scrap: (*component == "RM-BT-M8" && *product == "FG-RV63").then(|| "2".into()),
                        byproduct: false,
                    })
                    .collect(),
            },
        )?;
        story.tick_short();
    }
    for (product, operations) in ROUTINGS {
        production::routing::save_routing(
            tx,
            &ctx,
            &RoutingInput {
                product: (*product).into(),
                code: String::new(),
                operations: operations
                    .iter()
                    .map(|(name, center, run)| OperationInput {
                        name: (*name).into(),
                        work_center: (*center).into(),
                        setup_minutes: Some("20".into()),
                        run_minutes: (*run).into(),
                        key_operation: center.ends_with("TEST"),
                    })
                    .collect(),
            },
        )?;
        story.tick_short();
    }
    let characteristic = |name: &str, lower: Option<&str>, upper: Option<&str>, unit: &str| CharacteristicInput {
        name: name.into(),
        lower: lower.map(str::to_string),
        upper: upper.map(str::to_string),
        unit: unit.into(),
    };
    production::quality::create_plan(
        tx,
        &ctx,
        &PlanInput {
            code: "FA-112M".into(),
            name: "YE3-112M-4 首件检验".into(),
            kind: "first".into(),
            product: "FG-YE3-112M4".into(),
            sample_size: Some(2),
            characteristics: vec![
                characteristic("空载电流", Some("3.2"), Some("4.6"), "A"),
                characteristic("绝缘电阻", Some("50"), None, "MΩ"),
                characteristic("温升", None, Some("80"), "K"),
            ],
        },
    )?;
    production::quality::create_plan(
        tx,
        &ctx,
        &PlanInput {
            code: "IQC-CU".into(),
            name: "漆包铜线来料检验".into(),
            kind: "iqc".into(),
            product: "RM-CU-080".into(),
            sample_size: Some(3),
            characteristics: vec![
                characteristic("漆膜厚度", Some("0.030"), Some("0.050"), "mm"),
                characteristic("击穿电压", Some("3000"), None, "V"),
            ],
        },
    )?;
    story.tick_short();
    Ok(())
}

pub fn explode(product: &str, quantity: i64, into: &mut Vec<(&'static str, i64)>) {
    let Some((_, _, lines)) = BOMS.iter().find(|(p, ..)| *p == product) else { return };
    for (component, per) in lines.iter() {
        let q = quantity * scaled(per).unwrap_or(0) / kernel::Quantity::ONE;
        match BOMS.iter().find(|(p, ..)| p == component) {
            Some((_, true, _)) => explode(component, q, into),
            _ => match into.iter_mut().find(|(c, _)| c == component) {
                Some(entry) => entry.1 += q,
                None => into.push((component, q)),
            },
        }
    }
}

pub fn operations(product: &str) -> usize {
    ROUTINGS.iter().find(|(p, _)| *p == product).map(|(_, ops)| ops.len()).unwrap_or(0)
}
