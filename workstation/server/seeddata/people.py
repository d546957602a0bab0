"""Names, addresses and contact details of demo customers and staff."""

from __future__ import annotations

# (character, pinyin) so e-mail addresses can be derived from Chinese names.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("罗", "luo"), ("高", "gao"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("袁", "yuan"),
    ("潘", "pan"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"), ("叶", "ye"),
    ("欧阳", "ouyang"), ("司马", "sima"),
)
GIVEN: tuple[tuple[str, str], ...] = (
    ("晓雨", "xiaoyu"), ("子涵", "zihan"), ("浩然", "haoran"), ("欣怡", "xinyi"), ("俊杰", "junjie"),
    ("梓萱", "zixuan"), ("宇轩", "yuxuan"), ("思琪", "siqi"), ("博文", "bowen"), ("雨桐", "yutong"),
    ("志强", "zhiqiang"), ("丽娟", "lijuan"), ("建国", "jianguo"), ("秀英", "xiuying"), ("伟", "wei"),
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei"), ("洋", "yang"),
    ("婷婷", "tingting"), ("明辉", "minghui"), ("嘉怡", "jiayi"), ("一鸣", "yiming"), ("诗涵", "shihan"),
    ("天佑", "tianyou"), ("佳琪", "jiaqi"), ("文博", "wenbo"), ("雅琴", "yaqin"), ("国栋", "guodong"),
    ("海燕", "haiyan"), ("春梅", "chunmei"), ("立新", "lixin"), ("晨", "chen"), ("悦", "yue"),
)
EN_FIRST: tuple[str, ...] = (
    "Emma", "Olivia", "Liam", "Noah", "Sophia", "James", "Mia", "Lucas", "Grace", "Daniel",
    "Chloe", "Ethan", "Hannah", "Jack", "Amelia", "Oliver", "Isabella", "Henry", "Zoe", "David",
    "Sarah", "Michael", "Kevin", "Linda", "Tom", "Anna", "Ryan", "Julia", "Mark", "Nina",
)
EN_LAST: tuple[str, ...] = (
    "Li", "Wang", "Smith", "Johnson", "Brown", "Taylor", "Chen", "Wilson", "Martin", "Lee",
    "Walker", "Hall", "Young", "King", "Wright", "Lopez", "Green", "Baker", "Adams", "Nguyen",
    "Kim", "Park", "Müller", "Rossi", "Dubois", "Evans", "Clarke", "Murphy", "Schmidt", "Ng",
)
MAIL_DOMAINS: tuple[str, ...] = ("qq.com", "163.com", "126.com", "foxmail.com", "sina.com", "outlook.com", "gmail.com")
EN_MAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me")
PHONE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "158", "159", "166", "170", "176", "177", "180", "181", "185", "186", "187", "188",
    "189", "191", "198", "199",
)

# (province, city, districts, remote area)
REGIONS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("上海市", "上海市", ("浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区"), False),
    ("北京市", "北京市", ("朝阳区", "海淀区", "东城区", "丰台区"), False),
    ("广东省", "广州市", ("天河区", "越秀区", "番禺区"), False),
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区", "龙华区"), False),
    ("浙江省", "杭州市", ("西湖区", "滨江区", "余杭区"), False),
    ("江苏省", "南京市", ("鼓楼区", "玄武区", "江宁区"), False),
    ("江苏省", "苏州市", ("姑苏区", "工业园区", "吴中区"), False),
    ("四川省", "成都市", ("武侯区", "锦江区", "高新区"), False),
    ("湖北省", "武汉市", ("洪山区", "江汉区", "武昌区"), False),
    ("陕西省", "西安市", ("雁塔区", "碑林区", "未央区"), False),
    ("山东省", "青岛市", ("市南区", "崂山区", "黄岛区"), False),
    ("福建省", "厦门市", ("思明区", "湖里区"), False),
    ("湖南省", "长沙市", ("岳麓区", "芙蓉区", "天心区"), False),
    ("河南省", "郑州市", ("金水区", "二七区"), False),
    ("重庆市", "重庆市", ("渝中区", "江北区", "南岸区"), False),
    ("天津市", "天津市", ("和平区", "南开区"), False),
    ("新疆维吾尔自治区", "乌鲁木齐市", ("天山区", "沙依巴克区", "新市区"), True),
    ("新疆维吾尔自治区", "喀什地区", ("喀什市", "疏附县"), True),
    ("西藏自治区", "拉萨市", ("城关区", "堆龙德庆区"), True),
    ("西藏自治区", "日喀则市", ("桑珠孜区",), True),
    ("青海省", "西宁市", ("城中区", "城西区"), True),
    ("内蒙古自治区", "呼伦贝尔市", ("海拉尔区", "满洲里市"), True),
)
# Remote regions are rarer than their share of the list.
REGION_WEIGHTS: tuple[int, ...] = tuple(3 if remote else 10 for *_, remote in REGIONS)
STREETS: tuple[str, ...] = (
    "人民路", "解放路", "中山路", "建设路", "长江路", "和平街", "新华路", "滨江大道", "学府路",
    "科技路", "南京路", "光明街", "文化路", "迎宾大道", "花园路",
)
COMMUNITIES: tuple[str, ...] = (
    "阳光花园", "翠湖苑", "金色家园", "锦绣华庭", "绿城小区", "万科城", "碧桂园", "世纪公寓",
    "幸福里", "紫荆苑",
)
EN_CITIES: tuple[tuple[str, bool], ...] = (
    ("Pudong, Shanghai", False), ("Chaoyang, Beijing", False), ("Nanshan, Shenzhen", False),
    ("Tianhe, Guangzhou", False), ("Xihu, Hangzhou", False), ("Wuhou, Chengdu", False),
    ("Urumqi, Xinjiang", True), ("Lhasa, Tibet", True),
)
EN_STREETS: tuple[str, ...] = (
    "Century Avenue", "Jianguo Road", "Keyuan Road", "Huaxia Road", "Wensan Road",
    "Renmin South Road", "Binhe Road", "Beijing Road",
)

PREFERRED_TIMES_ZH: tuple[str, ...] = ("工作日晚上", "周末全天", "上午9点到12点", "午休时间", "下午2点以后", "仅限周末")
PREFERRED_TIMES_EN: tuple[str, ...] = ("weekday evenings", "weekends", "mornings 9-12", "after 2 pm", "lunch time")
NOTES_ZH: tuple[str, ...] = (
    "", "", "", "沟通偏好简洁，请直接给出方案。", "习惯电话沟通，文字回复较慢。", "对物流时效比较在意。",
    "曾多次咨询发票问题。", "老客户，语气友好。", "情绪容易激动，请耐心倾听后再给方案。", "希望只在周末送货上门。",
)
NOTES_EN: tuple[str, ...] = (
    "", "", "", "Prefers short written answers.", "Prefers a phone call for anything complex.",
    "Long-time customer, friendly.", "Sensitive about delivery times.",
)

STAFF: tuple[tuple[str, str, str, tuple[str, ...], int | None], ...] = (
    # username, display name, role, queues, tenure in months (None: not an agent)
    ("agent", "王晓雨", "agent", ("general", "returns", "repairs"), 4),
    ("agent2", "Emma Li", "agent", ("general", "complaints"), 9),
    ("agent3", "陈思琪", "agent", ("returns", "repairs"), 2),
    ("agent4", "刘浩然", "agent", ("general", "vip"), 14),
    ("agent5", "赵欣怡", "agent", ("general", "returns"), 7),
    ("agent6", "Daniel Wu", "agent", ("repairs", "general"), 3),
    ("senior", "张俊杰", "senior_agent", ("complaints", "vip", "returns", "general"), 26),
    ("lead", "林雅琴", "team_lead", ("general", "complaints", "returns", "repairs", "vip"), 48),
    ("engineer", "周建国", "field_engineer", (), 30),
    ("engineer2", "Mark Chen", "field_engineer", (), 11),
    ("admin", "系统管理员", "admin", (), None),
)
