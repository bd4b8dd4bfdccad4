//! The kernel's error codes in Chinese and English.

use crate::i18n::Message;
use crate::msg;

pub const MESSAGES: &[Message] = &[
    msg!(
        "internal",
        "服务器内部错误，请稍后重试或联系管理员",
        "Internal error; try again later or contact your administrator"
    ),
    msg!("validation.failed", "输入有误，请检查标出的字段", "Some fields are invalid; please check them"),
    msg!("auth.login.invalid", "用户名或密码错误", "Wrong username or password"),
    msg!("auth.login.inactive", "该用户已停用", "This user is deactivated"),
    msg!(
        "auth.login.throttled",
        "登录失败次数过多，请 {retry_after} 秒后再试",
        "Too many failed logins; try again in {retry_after} seconds"
    ),
    msg!("auth.no_company", "该用户不属于任何公司", "This user belongs to no company"),
    msg!("auth.password.too_short", "密码至少需要 {min} 个字符", "The password needs at least {min} characters"),
    msg!("auth.permission_denied", "没有权限：{permission}", "Permission denied: {permission}"),
    msg!("auth.forbidden", "没有权限执行此操作", "You have no permission for this"),
    msg!("auth.required", "请先登录", "Please log in"),
    msg!(
        "db.backup.sqlite_only",
        "在线备份仅适用于 SQLite；PostgreSQL 请使用 pg_dump",
        "Online backup is for SQLite; use pg_dump for PostgreSQL"
    ),
    msg!("db.constraint_violation", "数据冲突：{constraint}", "Conflicting data: {constraint}"),
    msg!(
        "db.migration.changed",
        "已执行的数据库迁移 {version}（{module}）被修改过",
        "Applied migration {version} ({module}) has been changed"
    ),
    msg!(
        "db.migration.duplicate_version",
        "迁移版本 {version} 重复：{modules}",
        "Migration version {version} is used twice: {modules}"
    ),
    msg!("db.url_invalid", "数据库地址无效：{url}", "Invalid database URL: {url}"),
    msg!("kernel.audit.not_found", "审计记录不存在", "Audit entry not found"),
    msg!(
        "kernel.company.code_invalid",
        "公司代码只能包含字母、数字、- 和 _，最多 32 个字符",
        "Company code: letters, digits, - and _, at most 32 characters"
    ),
    msg!("kernel.company.code_taken", "公司代码 {code} 已被使用", "Company code {code} is already used"),
    msg!(
        "kernel.company.name_invalid",
        "公司名称不能为空，最多 200 个字符",
        "Company name must be 1 to 200 characters"
    ),
    msg!("kernel.company.not_found", "公司不存在", "Company not found"),
    msg!(
        "kernel.company.tax_number_invalid",
        "纳税人识别号 {number} 无效：统一社会信用代码为 18 位且校验位正确（旧号码为 15 或 20 位）",
        "Taxpayer number {number} is not valid: a unified social credit code has 18 characters with a correct check character (older numbers 15 or 20)"
    ),
    msg!("kernel.company.detail_too_long", "最多 {max} 个字符", "At most {max} characters"),
    msg!("kernel.currency.unknown", "未知币种：{code}", "Unknown currency: {code}"),
    msg!("kernel.date.invalid", "日期格式应为 YYYY-MM-DD：{value}", "Dates are written YYYY-MM-DD: {value}"),
    msg!("kernel.timestamp.invalid", "时间格式无效：{value}", "Invalid timestamp: {value}"),
    msg!("kernel.id.invalid", "记录不存在", "Record not found"),
    msg!("kernel.money.allocation_weights", "分摊权重无效", "Invalid allocation weights"),
    msg!(
        "kernel.money.currency_mismatch",
        "不能混合币种：{left} 与 {right}",
        "Currencies do not mix: {left} and {right}"
    ),
    msg!("kernel.money.invalid", "金额无效：{value}", "Invalid amount: {value}"),
    msg!("kernel.price.invalid", "单价无效：{value}", "Invalid unit price: {value}"),
    msg!("kernel.quantity.invalid", "数量无效：{value}", "Invalid quantity: {value}"),
    msg!("kernel.number.division_by_zero", "除数不能为零", "Division by zero"),
    msg!("kernel.number.overflow", "数值超出范围", "Number out of range"),
    msg!("kernel.number.too_precise", "{value} 的小数位超过 {digits} 位", "{value} has more than {digits} decimals"),
    msg!("kernel.outbox.already_delivered", "该消息已发送", "This message was already delivered"),
    msg!("kernel.outbox.not_found", "消息不存在", "Message not found"),
    msg!("kernel.page.cursor_invalid", "分页游标无效", "Invalid page cursor"),
    msg!("kernel.role.builtin", "默认角色不能删除", "Default roles cannot be deleted"),
    msg!("kernel.role.code_invalid", "角色代码只能包含字母、数字、- 和 _", "Role code: letters, digits, - and _"),
    msg!("kernel.role.code_taken", "角色代码已存在", "Role code already exists"),
    msg!("kernel.role.name_invalid", "角色名称不能为空，最多 100 个字符", "Role name must be 1 to 100 characters"),
    msg!("kernel.role.not_found", "角色不存在：{role}", "Role not found: {role}"),
    msg!("kernel.role.permission_unknown", "未知权限：{permission}", "Unknown permission: {permission}"),
    msg!("kernel.user.cannot_deactivate_self", "不能停用自己", "You cannot deactivate yourself"),
    msg!("kernel.user.display_name_invalid", "姓名不能为空，最多 100 个字符", "Name must be 1 to 100 characters"),
    msg!("kernel.user.email_invalid", "邮箱地址无效", "Invalid email address"),
    msg!("kernel.user.locale_invalid", "语言只能是 zh-CN 或 en", "Language must be zh-CN or en"),
    msg!("kernel.user.not_found", "用户不存在", "User not found"),
    msg!(
        "kernel.user.username_invalid",
        "用户名为 2–64 个字母、数字或 . _ - @",
        "Username: 2–64 letters, digits or . _ - @"
    ),
    msg!("kernel.user.username_taken", "用户名已被使用", "Username already taken"),
    msg!(
        "kernel.version_conflict",
        "记录已被他人修改，请刷新后重试",
        "Someone else changed this record; reload and try again"
    ),
];
