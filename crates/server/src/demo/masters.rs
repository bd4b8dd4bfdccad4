//! The demo company's master data, written on its first day: its people, payment terms, a
//! second warehouse, product categories, the items it buys, makes and sells, and its customers
//! and suppliers across the provinces, each customer with a habit of paying that the story
//! follows later.

use kernel::db::Tx;
use kernel::identity::{self, NewUser, UserId};
use kernel::{Ctx, Result};
use party::{BankAccount, Contact, PartyInput, PartyKind, PaymentTerm};

use super::names::{self, BANKS, BRANDS, CITIES, TITLES, TRADES};
use super::{Rng, Story};

/// What kind of item it is, which decides who buys, makes or sells it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Raw,
    Semi,
    Finished,
    Traded,
    Service,
}

/// One item of the catalogue: its price (to customers) or cost (from suppliers) in yuan, and
/// the supplier (index into `SUPPLIERS`) it is bought from.
pub struct Item {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub uom: &'static str,
    pub lot: bool,
    pub shelf_life: Option<i64>,
    pub cost: &'static str,
    pub price: &'static str,
    pub supplier: usize,
}

const fn item(code: &'static str, name: &'static str, kind: Kind, uom: &'static str, lot: bool) -> Item {
    Item { code, name, kind, uom, lot, shelf_life: None, cost: "0", price: "0", supplier: usize::MAX }
}

const fn bought(mut item: Item, cost: &'static str, supplier: usize) -> Item {
    item.cost = cost;
    item.supplier = supplier;
    item
}

const fn sold(mut item: Item, price: &'static str) -> Item {
    item.price = price;
    item
}

const fn lasting(mut item: Item, days: i64) -> Item {
    item.shelf_life = Some(days);
    item
}

use Kind::*;

pub const ITEMS: &[Item] = &[
    bought(item("RM-SI-050", "硅钢片 50W470", Raw, "kg", true), "7.80", 0),
    bought(item("RM-CU-080", "漆包铜线 QZ-2/130 Φ0.80", Raw, "kg", true), "78.50", 1),
    lasting(bought(item("RM-VA-1032", "绝缘漆 1032", Raw, "kg", true), "32.00", 2), 365),
    bought(item("RM-AL-ZL102", "铝锭 ZL102", Raw, "kg", false), "21.60", 3),
    bought(item("RM-AL-6061", "铝合金板 6061-T6", Raw, "kg", false), "28.50", 3),
    bought(item("RM-SH-24", "电机轴 45#钢 Φ24", Raw, "pcs", false), "36.00", 4),
    bought(item("RM-CI-112", "铸铁机座 112M", Raw, "pcs", false), "168.00", 4),
    bought(item("RM-BR-6204", "深沟球轴承 6204-2RS", Raw, "pcs", false), "6.80", 5),
    bought(item("RM-BR-6205", "深沟球轴承 6205-2RS", Raw, "pcs", false), "8.20", 5),
    bought(item("RM-BT-M8", "螺栓 M8×30 8.8级镀锌", Raw, "pcs", false), "0.35", 6),
    bought(item("RM-NT-M8", "螺母 M8", Raw, "pcs", false), "0.08", 6),
    bought(item("RM-WS-M8", "平垫圈 M8", Raw, "pcs", false), "0.03", 6),
    bought(item("RM-JB-90", "接线盒 JB-90", Raw, "pcs", false), "12.50", 7),
    bought(item("RM-NP-01", "铝制铭牌", Raw, "pcs", false), "1.80", 8),
    bought(item("RM-OS-35", "油封 TC35×52×7", Raw, "pcs", false), "2.60", 9),
    lasting(bought(item("RM-GR-2", "2号锂基润滑脂", Raw, "kg", true), "26.00", 10), 730),
    bought(item("RM-WG-63", "蜗轮蜗杆副 i=30", Raw, "set", false), "185.00", 11),
    bought(item("RM-FL-90", "输出法兰 F90", Raw, "pcs", false), "42.00", 11),
    item("SF-ST-90", "定子组件 90L-4", Semi, "pcs", false),
    item("SF-RT-90", "转子组件 90L-4", Semi, "pcs", false),
    item("SF-HS-90", "铝合金机座 90L", Semi, "pcs", false),
    item("SF-FK-M8", "紧固件包 M8×4", Semi, "set", false),
    sold(item("FG-YE3-90L4", "三相异步电机 YE3-90L-4 1.5kW", Finished, "pcs", true), "1280"),
    sold(item("FG-YE3-112M4", "三相异步电机 YE3-112M-4 4kW", Finished, "pcs", true), "2650"),
    sold(item("FG-RV63", "蜗轮蜗杆减速机 RV63 i=30", Finished, "pcs", true), "980"),
    sold(item("FG-GM90", "减速电机 RV63-YE3-90L", Finished, "pcs", true), "2380"),
    sold(bought(item("TG-VFD-22", "变频器 2.2kW 380V", Traded, "pcs", false), "820.00", 12), "1150"),
    sold(bought(item("TG-CPL-LT4", "弹性套柱销联轴器 LT4", Traded, "pcs", false), "38.00", 13), "68"),
    sold(bought(item("TG-MPR-5", "电机综合保护器 JD-5", Traded, "pcs", false), "95.00", 14), "158"),
    sold(item("SV-INST", "现场安装调试服务", Service, "h", false), "300"),
    sold(item("SV-TRAIN", "设备操作培训", Service, "h", false), "400"),
];

pub fn find(code: &str) -> &'static Item {
    ITEMS.iter().find(|i| i.code == code).unwrap_or(&ITEMS[0])
}

/// A supplier: name, city (index into `CITIES`), payment term and lead time in days.
pub struct SupplierSpec {
    pub name: &'static str,
    pub city: usize,
    pub term: &'static str,
    pub lead_days: i64,
}

const fn supplier(name: &'static str, city: usize, term: &'static str, lead_days: i64) -> SupplierSpec {
    SupplierSpec { name, city, term, lead_days }
}

pub const SUPPLIERS: &[SupplierSpec] = &[
    supplier("江苏华鑫硅钢有限公司", 12, "EOM30", 5),
    supplier("无锡金缆电磁线有限公司", 8, "NET30", 4),
    supplier("常州永固绝缘材料有限公司", 12, "NET30", 3),
    supplier("宁波明泰铝业有限公司", 9, "EOM30", 6),
    supplier("山东鲁锻机械有限公司", 11, "NET60", 8),
    supplier("浙江环宇轴承有限公司", 13, "NET30", 4),
    supplier("温州东明标准件有限公司", 13, "NET15", 3),
    supplier("佛山立信电器配件有限公司", 3, "NET30", 5),
    supplier("上海申工标牌有限公司", 0, "NET15", 3),
    supplier("青岛海密封科技有限公司", 5, "NET30", 5),
    supplier("武汉长江润滑油脂有限公司", 7, "NET30", 4),
    supplier("台州精锐传动有限公司", 2, "EOM30", 7),
    supplier("深圳英威驱动技术有限公司", 10, "NET30", 6),
    supplier("杭州联力传动件有限公司", 2, "NET30", 4),
    supplier("北京安泰电气有限公司", 4, "NET30", 5),
    supplier("安徽皖江铜业有限公司", 15, "NET30", 5),
    supplier("郑州中原铸造有限公司", 14, "NET60", 9),
    supplier("苏州顺达包装材料有限公司", 1, "NET15", 2),
    supplier("上海宏运物流有限公司", 0, "EOM30", 1),
    supplier("成都西南工量具有限公司", 6, "NET30", 5),
];

/// How a customer pays its invoices; the story pays (or not) accordingly.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pays {
    OnTime,
    Late,
    InParts,
    Never,
}

pub struct Customer {
    pub code: String,
    pub id: String,
    pub name: String,
    pub pays: Pays,
    /// Which of the two salespeople looks after it.
    pub rep: usize,
}

pub struct Supplier {
    pub code: String,
    pub id: String,
    pub name: String,
}

#[derive(Default)]
pub struct Masters {
    pub customers: Vec<Customer>,
    pub suppliers: Vec<Supplier>,
    /// The salespeople's user ids (owners of customers, leads and opportunities).
    pub reps: Vec<String>,
}

/// The demo company's colleagues.
pub struct Staff {
    pub sales_manager: UserId,
    pub sales: UserId,
    pub buyer: UserId,
    pub warehouse: UserId,
    pub production: UserId,
    pub accountant: UserId,
    pub cashier: UserId,
}

/// The colleagues, as users of the demo company with their roles (random passwords: an
/// administrator sets one with `tiangong user passwd demo.wangfang` to log in as them).
pub fn create_people(tx: &mut Tx<'_>, admin: &Ctx) -> Result<Staff> {
    let mut make = |username: &str, name: &str, roles: &[&str]| -> Result<UserId> {
        let user = identity::create_user(
            tx,
            admin,
            &NewUser {
                username: username.into(),
                display_name: name.into(),
                email: Some(format!("{username}@demo.tiangong.example")),
                password: identity::generate_password(),
                locale: Some("zh-CN".into()),
                roles: roles.iter().map(|r| r.to_string()).collect(),
            },
        )?;
        Ok(user.id)
    };
    Ok(Staff {
        sales_manager: make("demo.wangfang", "王芳（销售经理）", &["sales", "crm"])?,
        sales: make("demo.zhangwei", "张伟（销售）", &["sales", "crm"])?,
        buyer: make("demo.liqiang", "李强（采购）", &["purchasing"])?,
        warehouse: make("demo.zhaomin", "赵敏（仓库）", &["warehouse"])?,
        production: make("demo.chengang", "陈刚（生产）", &["production"])?,
        accountant: make("demo.liuyang", "刘洋（会计）", &["finance"])?,
        cashier: make("demo.sunli", "孙丽（出纳）", &["finance"])?,
    })
}

/// A unified social credit code with a right check character, for a company registered in
/// `division`.
fn credit_code(rng: &mut Rng, division: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body: String = (0..9).map(|_| ALPHABET[rng.range(0, 30) as usize] as char).collect();
    let first17 = format!("91{division}{body}");
    let check = party::uscc::check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn mobile(rng: &mut Rng) -> String {
    format!("1{}{:09}", rng.pick(&["35", "38", "39", "58", "86", "77"]), rng.range(0, 999_999_999))
        .chars()
        .take(11)
        .collect()
}

/// Everything of the first day but the people and the production set-up.
pub fn create(tx: &mut Tx<'_>, story: &mut Story<'_>) -> Result<()> {
    let admin = story.people.admin.clone();
    for (code, name, days, end_of_month) in [
        ("NET15", "15天", 15, false),
        ("NET30", "30天", 30, false),
        ("EOM30", "月结30天", 30, true),
        ("NET60", "60天", 60, false),
    ] {
        party::create_term(tx, &admin, &PaymentTerm { code: code.into(), name: name.into(), days, end_of_month })?;
    }
    story.tick_short();
    inventory::create_warehouse(
        tx,
        &story.people.warehouse,
        &inventory::WarehouseInput { code: "SH".into(), name: "上海成品仓".into(), allow_negative: false },
    )?;
    for (code, name) in [("RM", "原材料"), ("SF", "半成品"), ("FG", "产成品"), ("TG", "外购商品"), ("SV", "服务")]
    {
        product::create_category(
            tx,
            &admin,
            &product::Category { code: code.into(), name: name.into(), parent: None, path: String::new() },
        )?;
    }
    for item in ITEMS {
        let (kind, tax) = match item.kind {
            Kind::Service => ("service", "VAT6"),
            _ => ("stockable", "VAT13"),
        };
        let category = item.code.split('-').next().unwrap_or("RM");
        let price = if item.price != "0" { item.price } else { item.cost };
        product::insert_product(
            tx,
            &admin,
            &product::ProductInput {
                code: item.code.into(),
                name: item.name.into(),
                kind: kind.into(),
                category: Some(category.into()),
                uom: item.uom.into(),
                tax: Some(tax.into()),
                tracking: Some(if item.lot { "lot" } else { "none" }.into()),
                shelf_life_days: item.shelf_life,
                list_price: Some(price.into()),
                ..Default::default()
            },
        )?;
        story.tick_short();
    }
    story.masters.reps = story.people.sales.iter().filter_map(|c| c.actor().user()).map(|u| u.to_string()).collect();
    suppliers(tx, story)?;
    customers(tx, story)
}

fn suppliers(tx: &mut Tx<'_>, story: &mut Story<'_>) -> Result<()> {
    let buyer = story.people.buyer.clone();
    for (i, spec) in SUPPLIERS.iter().enumerate() {
        let place = &CITIES[spec.city];
        let rng = &mut story.rng;
        let contact = names::person(rng.range(0, 99) as usize, rng.range(0, 99) as usize);
        let code = format!("S{:03}", i + 1);
        let input = PartyInput {
            code: code.clone(),
            name: spec.name.into(),
            kind: PartyKind::Supplier,
            uscc: Some(credit_code(rng, place.division)),
            grade: if i < 12 { "A".into() } else { "B".into() },
            source: "demo".into(),
            payment_term: Some(spec.term.into()),
            phone: Some(format!("{}-{}", place.area, rng.range(55_000_000, 89_999_999))),
            province: place.province.into(),
            city: place.city.into(),
            district: place.district.into(),
            address: Some(format!("{}{}号", place.street, rng.range(8, 988))),
            contacts: vec![Contact {
                name: contact,
                title: "销售经理".into(),
                mobile: Some(mobile(rng)),
                is_primary: true,
                ..Default::default()
            }],
            bank_accounts: vec![BankAccount {
                bank_name: format!("{}{}分行", rng.pick(BANKS), place.city.trim_end_matches('市')),
                holder: spec.name.into(),
                account: format!("{}", rng.range(6_222_000_000_000_000, 6_222_999_999_999_999)),
                ..Default::default()
            }],
            ..Default::default()
        };
        let (id, _) = party::insert_party(tx, &buyer, story.vault, &input)?;
        story.masters.suppliers.push(Supplier { code, id: id.to_string(), name: spec.name.into() });
        story.tick_short();
    }
    Ok(())
}

/// Forty customers: names from the brand, the city and the trade; a payment habit each, most
/// paying on time, some late, a few in parts, one not at all.
fn customers(tx: &mut Tx<'_>, story: &mut Story<'_>) -> Result<()> {
    for i in 0..40usize {
        let place_index = (i * 7 + 3) % CITIES.len();
        let place = &CITIES[place_index];
        let name = format!(
            "{}{}{}有限公司",
            place.city.trim_end_matches('市'),
            BRANDS[(i * 5 + 1) % BRANDS.len()],
            TRADES[i % TRADES.len()]
        );
        let pays = match i {
            4 | 23 => Pays::Never,
            9 | 17 | 31 => Pays::InParts,
            _ if i % 6 == 2 => Pays::Late,
            _ => Pays::OnTime,
        };
        let rep = i % 2;
        let rng = &mut story.rng;
        let term = *rng.pick(&["NET30", "NET30", "EOM30", "NET60", "NET15"]);
        let grade = match rng.range(0, 9) {
            0..=2 => "A",
            3..=7 => "B",
            _ => "C",
        };
        let limit = rng.range(30, 200) * 10_000;
        let contacts: Vec<Contact> = (0..rng.range(1, 2))
            .map(|c| Contact {
                name: names::person(rng.range(0, 99) as usize, rng.range(0, 99) as usize),
                title: (*rng.pick(TITLES)).into(),
                mobile: Some(mobile(rng)),
                email: Some(format!("buyer{}{}@customer{:02}.example.cn", i + 1, c + 1, i + 1)),
                is_primary: c == 0,
                ..Default::default()
            })
            .collect();
        let code = format!("C{:04}", i + 1);
        let input = PartyInput {
            code: code.clone(),
            name: name.clone(),
            kind: PartyKind::Customer,
            uscc: Some(credit_code(rng, place.division)),
            grade: grade.into(),
            tags: vec![TRADES[i % TRADES.len()].into()],
            owner_id: story.masters.reps.get(rep).cloned(),
            source: "demo".into(),
            payment_term: Some(term.into()),
            credit_limit: Some(limit.to_string()),
            phone: Some(format!("{}-{}", place.area, rng.range(55_000_000, 89_999_999))),
            province: place.province.into(),
            city: place.city.into(),
            district: place.district.into(),
            address: Some(format!("{}{}号", place.street, rng.range(8, 988))),
            contacts,
            ..Default::default()
        };
        let salesperson = story.people.sales[rep].clone();
        let (id, _) = party::insert_party(tx, &salesperson, story.vault, &input)?;
        story.masters.customers.push(Customer { code, id: id.to_string(), name, pays, rep });
        story.tick_short();
    }
    Ok(())
}
