//! The words the demo company is written in: provinces and cities with their districts and
//! division codes, people's names, and the parts of company names, so that every customer,
//! supplier and contact reads like a real one from somewhere in China.

/// A city: province, city, a district, a street, the administrative division code (the
/// credit code's digits 3–8) and the telephone area code.
pub struct City {
    pub province: &'static str,
    pub city: &'static str,
    pub district: &'static str,
    pub street: &'static str,
    pub division: &'static str,
    pub area: &'static str,
}

const fn city(
    province: &'static str,
    city: &'static str,
    district: &'static str,
    street: &'static str,
    division: &'static str,
    area: &'static str,
) -> City {
    City { province, city, district, street, division, area }
}

pub const CITIES: &[City] = &[
    city("上海市", "上海市", "嘉定区", "叶城路", "310114", "021"),
    city("江苏省", "苏州市", "工业园区", "星湖街", "320571", "0512"),
    city("浙江省", "杭州市", "余杭区", "文一西路", "330110", "0571"),
    city("广东省", "佛山市", "顺德区", "北滘镇工业大道", "440606", "0757"),
    city("北京市", "北京市", "大兴区", "经海路", "110115", "010"),
    city("山东省", "青岛市", "黄岛区", "长江中路", "370211", "0532"),
    city("四川省", "成都市", "郫都区", "西源大道", "510117", "028"),
    city("湖北省", "武汉市", "东西湖区", "金银湖路", "420112", "027"),
    city("江苏省", "无锡市", "新吴区", "长江路", "320214", "0510"),
    city("浙江省", "宁波市", "北仑区", "明州路", "330206", "0574"),
    city("广东省", "东莞市", "松山湖", "工业东路", "441900", "0769"),
    city("山东省", "潍坊市", "奎文区", "东风东街", "370705", "0536"),
    city("江苏省", "常州市", "武进区", "常武中路", "320412", "0519"),
    city("浙江省", "温州市", "瓯海区", "温州大道", "330304", "0577"),
    city("河南省", "郑州市", "经开区", "第八大街", "410171", "0371"),
    city("安徽省", "合肥市", "蜀山区", "望江西路", "340104", "0551"),
    city("湖南省", "长沙市", "雨花区", "万家丽中路", "430111", "0731"),
    city("天津市", "天津市", "滨海新区", "泰达大街", "120116", "022"),
    city("辽宁省", "沈阳市", "铁西区", "北二中路", "210106", "024"),
    city("重庆市", "重庆市", "九龙坡区", "科园一路", "500107", "023"),
];

/// Brand-like first words of customer names.
pub const BRANDS: &[&str] = &[
    "恒通", "华力", "宏达", "鑫源", "永盛", "金泰", "精工", "瑞丰", "博远", "天成", "东方", "新锐", "联创", "凯达",
    "佳禾", "盛世", "远航", "正信", "川崎", "德润", "海纳", "中圣", "锦程", "万隆",
];

/// What the customers make (they buy motors and reducers for it).
pub const TRADES: &[&str] = &[
    "机械",
    "自动化设备",
    "包装机械",
    "纺织机械",
    "输送设备",
    "泵业",
    "机床",
    "环保设备",
    "食品机械",
    "风机",
    "物流装备",
    "木工机械",
];

/// Industries of the CRM's leads, next to what they need.
pub const INDUSTRIES: &[(&str, &str)] = &[
    ("包装机械", "封箱机传动"),
    ("物流输送", "输送线减速电机"),
    ("纺织机械", "织机主电机"),
    ("水泵", "泵用电机"),
    ("食品机械", "搅拌机减速机"),
    ("机床", "主轴电机"),
    ("环保设备", "风机电机"),
    ("农业机械", "饲料机减速机"),
];

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];

pub const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强",
    "海燕", "丽娟", "晓东", "国庆", "春梅", "文博",
];

pub const TITLES: &[&str] = &["采购经理", "总经理", "设备部主任", "技术总监", "采购专员", "生产厂长", "财务经理"];

pub const BANKS: &[&str] = &["中国工商银行", "中国建设银行", "中国银行", "招商银行", "交通银行", "江苏银行"];

/// A person's name from two dice.
pub fn person(surname: usize, given: usize) -> String {
    format!("{}{}", SURNAMES[surname % SURNAMES.len()], GIVEN[given % GIVEN.len()])
}
