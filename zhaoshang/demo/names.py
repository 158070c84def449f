"""Data tables of the demo city 锦川市: its two districts, their people, enterprises and the
words projects are described with. Everything here is fictional; names of real companies are
avoided on purpose. The builder (builder.py) turns these tables into records."""

from __future__ import annotations

CITY = "锦川市"
PASSWORD = "Demo@2026"

# ---------------------------------------------------------------------------------------------
# People: surnames and given names for generated cadres, enterprise contacts and legal
# representatives. Surnames whose pinyin is ambiguous (曾, 单, 解 …) are left out so that
# the pinyin user names read right.
SURNAMES = (
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
    "彭 肖 田 董 潘 袁 蒋 蔡 余 杜 叶 程 魏 苏 吕 丁 任 沈 姚 卢 傅 钟 姜 崔 谭 廖 范 汪 陆 金 石 "
    "贾 夏 付 方 邹 熊 白 孟 秦 邱 侯 江 尹 薛 闫 段 雷 龙 黎 史 陶 贺 毛 郝 顾 龚 邵 万 钱 严 "
    "覃 武 戴 莫 孔 向 汤"
).split()
GIVEN_NAMES = (
    "建国 志强 海燕 丽娟 晓东 明辉 俊杰 婷婷 伟 磊 静 敏 洋 勇 军 杰 涛 超 霞 平 刚 桂英 秀兰 "
    "红梅 建华 建军 德明 春林 玉兰 志明 雪梅 丹 鹏 飞 斌 鑫 宇 浩 婧 琳 颖 晨 瑶 欣怡 思远 "
    "嘉怡 一鸣 泽宇 雨桐 浩然 佳琪 文杰 小红 国强 国华 永刚 永明 晓燕 晓峰 晓军 春梅 秋菊 "
    "志勇 志华 海波 海军 立新 立军 红霞 利民 成林 光明 学军 玉梅 凤英 金凤 秀英 宏伟 振华 "
    "长青 庆华 新民 卫东 亚军 晓丽 慧敏 雅婷 子豪 博文 天宇 梦琪 诗涵 家豪 俊熙 语嫣 若曦 "
    "明远 书琴 向东 云飞 昊天 润泽 锦程 蜀平 川林 蓉蓉"
).split()

# ---------------------------------------------------------------------------------------------
# Departments: (key, name, short name, kind, head's title). Names follow the work plan
# (区政务服务中心, 区工商局, 区建设局, 区规划局, 区国土局 …) with today's names in brackets.
DEMO_DEPARTMENTS = [
    ("center", "区政务服务中心", "政务服务中心", "government", "主任"),
    ("aic", "区工商局(市场监管局)", "工商局", "government", "局长"),
    ("works", "区建设局(住建局)", "建设局", "government", "局长"),
    ("planning", "区规划局", "规划局", "government", "局长"),
    ("land", "区国土局(自然资源局)", "国土局", "government", "局长"),
    ("eco", "区生态环境局", "生态环境局", "government", "局长"),
    ("ndrc", "区发改局", "发改局", "government", "局长"),
    ("econ", "区经信局", "经信局", "government", "局长"),
    ("safety", "区应急管理局", "应急局", "government", "局长"),
    ("tax", "区税务局", "税务局", "government", "局长"),
    ("finance", "区财政局", "财政局", "government", "局长"),
    ("bureau", "区招商局", "招商局", "government", "局长"),
    ("hr", "区人社局", "人社局", "government", "局长"),
    ("transport", "区交通运输局", "交通局", "government", "局长"),
    ("water", "区水务局", "水务局", "government", "局长"),
    ("stats", "区统计局", "统计局", "government", "局长"),
    ("fire", "区消防救援大队", "消防大队", "government", "大队长"),
    ("power", "国网东城区供电公司", "供电公司", "utility", "经理"),
    ("tapwater", "区自来水公司", "自来水公司", "utility", "经理"),
    ("gas", "区燃气公司", "燃气公司", "utility", "经理"),
    ("east", "东城园区管委会", "东城园区", "park_committee", "主任"),
    ("north", "北城通航产业区管委会", "北城通航区", "park_committee", "主任"),
    ("perf", "区目标绩效督查室", "督查室", "supervision", "主任"),
    ("party_sup", "区委督查室", "区委督查室", "supervision", "主任"),
    ("efficiency", "区效能办", "效能办", "supervision", "主任"),
]

SECOND_DEPARTMENTS = [
    ("center", "区政务服务中心", "政务服务中心", "government", "主任"),
    ("bureau", "区招商局", "招商局", "government", "局长"),
    ("aic", "区市场监管局", "市场监管局", "government", "局长"),
    ("works", "区住建局", "住建局", "government", "局长"),
    ("land", "区自然资源局", "自然资源局", "government", "局长"),
    ("eco", "区生态环境局", "生态环境局", "government", "局长"),
    ("tax", "区税务局", "税务局", "government", "局长"),
    ("power", "国网西城区供电公司", "供电公司", "utility", "经理"),
    ("west", "西城园区管委会", "西城园区", "park_committee", "主任"),
    ("perf", "区目标绩效督查室", "督查室", "supervision", "主任"),
]

# The zone/park features of data/outlines.geojson each district uses, and which committee
# manages which park.
DEMO_PARK_COMMITTEES = {
    "P-EQUIP": "east",
    "P-FOOD": "east",
    "P-CHEM": "east",
    "P-ELEC": "east",
    "P-AVIA": "north",
    "P-LOGI": "north",
}
SECOND_PARK_COMMITTEES = {"S-PARK": "west"}

# ---------------------------------------------------------------------------------------------
# Leadership (all county-level cadres, role leader): (key, real name, title, department key).
# The first is the district head; "industry" is the deputy head for industry, who is the
# `leader` demo account (分管工业副区长: receipts, land clean-up, most projects).
DEMO_LEADERS = [
    ("head", "周文斌", "区委副书记、区长", None),
    ("executive", "陈志刚", "区委常委、常务副区长", None),
    ("industry", "李建国", "副区长(分管工业)", None),
    ("construction", "王海涛", "副区长(分管城建)", None),
    ("finance", "刘晓梅", "副区长(分管财政金融)", None),
    ("agriculture", "孙立平", "副区长(分管农业农村)", None),
    ("congress", "杨国庆", "区人大常委会副主任", None),
    ("cppcc", "黄丽娟", "区政协副主席", None),
    ("assistant", "何春林", "区长助理", None),
    ("north_director", "吴刚", "区长助理、北城通航产业区管委会主任", "north"),
    ("east_director", "郑伟", "东城园区管委会主任", "east"),
]
SECOND_LEADERS = [
    ("head", "韩志远", "区委副书记、区长", None),
    ("industry", "宋明", "副区长(分管工业)", None),
    ("construction", "罗佳", "副区长(分管城建)", None),
]

# ---------------------------------------------------------------------------------------------
# Industries of the "3+3" plan: key, name, category, GB/T 4754-2017 division, main park,
# second park, fixed-asset intensity range (万元/亩), output per 万元 invested, tax rate on
# output, output (万元) per job, leader key of its 产业招商工作组, project name stems.
# "{n}" in a stem is replaced by one of the numbers after it.
DEMO_INDUSTRIES = [
    {
        "key": "equip",
        "name": "装备制造",
        "category": "leading",
        "gbt": "34",
        "park": "P-EQUIP",
        "alt_park": "P-AVIA",
        "intensity": (250, 450),
        "output_ratio": (1.3, 1.8),
        "tax_rate": (0.035, 0.05),
        "output_per_job": (120, 220),
        "group_lead": "industry",
        "stems": [
            ("年产{n}台数控机床生产线项目", (300, 500, 800, 1200)),
            ("智能装备制造基地项目", ()),
            ("年产{n}万件精密齿轮及传动部件项目", (50, 80, 120)),
            ("工业机器人研发生产基地项目", ()),
            ("年产{n}台(套)现代农机装备项目", (2000, 3000, 5000)),
            ("重型钢结构加工基地项目", ()),
            ("液压元件智能制造项目", ()),
            ("高端轴承生产线项目", ()),
            ("风电装备零部件制造项目", ()),
            ("环保装备产业化项目", ()),
            ("智能仓储装备生产基地项目", ()),
            ("新能源汽车零部件项目", ()),
            ("年产{n}台工程机械关键部件项目", (1000, 2000, 3000)),
        ],
    },
    {
        "key": "food",
        "name": "食品饮料",
        "category": "leading",
        "gbt": "14",
        "park": "P-FOOD",
        "alt_park": "P-LOGI",
        "intensity": (220, 400),
        "output_ratio": (1.6, 2.4),
        "tax_rate": (0.04, 0.08),
        "output_per_job": (90, 160),
        "group_lead": "agriculture",
        "stems": [
            ("年产{n}万吨调味品生产线项目", (3, 5, 10)),
            ("年产{n}千升白酒酿造及包装项目", (5000, 10000, 20000)),
            ("中央厨房及预制菜加工项目", ()),
            ("年产{n}万吨休闲食品项目", (2, 3, 5)),
            ("年产{n}万吨乳制品项目", (5, 10, 15)),
            ("饮用水及饮料灌装生产线项目", ()),
            ("冷冻食品加工配送中心项目", ()),
            ("年产{n}吨茶叶精深加工项目", (1000, 2000, 3000)),
            ("粮油精深加工项目", ()),
            ("年产{n}万吨面制品项目", (3, 5, 8)),
            ("火锅底料及复合调味料项目", ()),
        ],
    },
    {
        "key": "chem",
        "name": "新材料化工",
        "category": "leading",
        "gbt": "26",
        "park": "P-CHEM",
        "alt_park": "P-EQUIP",
        "intensity": (300, 600),
        "output_ratio": (1.2, 1.9),
        "tax_rate": (0.04, 0.06),
        "output_per_job": (250, 450),
        "group_lead": "congress",
        "stems": [
            ("年产{n}万吨锂电池正极材料项目", (2, 5, 10)),
            ("年产{n}万吨电解液项目", (3, 5, 10)),
            ("年产{n}万吨环保水性涂料项目", (3, 5, 8)),
            ("高性能工程塑料改性项目", ()),
            ("年产{n}吨电子级化学品项目", (5000, 10000, 30000)),
            ("年产{n}万吨电池级碳酸锂项目", (1, 2, 3)),
            ("特种橡胶制品项目", ()),
            ("年产{n}万吨聚氨酯新材料项目", (5, 10, 20)),
            ("精细化工中间体项目", ()),
            ("生物基可降解材料项目", ()),
        ],
    },
    {
        "key": "elec",
        "name": "电子信息",
        "category": "emerging",
        "gbt": "39",
        "park": "P-ELEC",
        "alt_park": "P-EQUIP",
        "intensity": (350, 750),
        "output_ratio": (1.5, 2.6),
        "tax_rate": (0.025, 0.04),
        "output_per_job": (80, 150),
        "group_lead": "cppcc",
        "stems": [
            ("智能终端生产基地项目", ()),
            ("年产{n}万平方米柔性电路板项目", (30, 50, 100)),
            ("光电显示模组项目", ()),
            ("5G通信设备制造项目", ()),
            ("半导体封装测试项目", ()),
            ("新型电子元器件项目", ()),
            ("大数据中心项目", ()),
            ("智能传感器研发生产项目", ()),
            ("连接器及线束生产项目", ()),
            ("北斗导航终端制造项目", ()),
        ],
    },
    {
        "key": "avia",
        "name": "通用航空",
        "category": "emerging",
        "gbt": "37",
        "park": "P-AVIA",
        "alt_park": "P-ELEC",
        "intensity": (250, 500),
        "output_ratio": (1.2, 1.8),
        "tax_rate": (0.03, 0.05),
        "output_per_job": (100, 200),
        "group_lead": "north_director",
        "stems": [
            ("通用航空器总装项目", ()),
            ("年产{n}架工业级无人机研发制造基地项目", (500, 1000, 2000)),
            ("航空零部件精密加工项目", ()),
            ("通航飞行培训基地项目", ()),
            ("航空器维修(MRO)基地项目", ()),
            ("航空复合材料构件项目", ()),
            ("通航运营保障基地项目", ()),
            ("航空发动机零部件项目", ()),
        ],
    },
    {
        "key": "logi",
        "name": "现代物流",
        "category": "emerging",
        "gbt": "59",
        "park": "P-LOGI",
        "alt_park": "P-FOOD",
        "intensity": (150, 280),
        "output_ratio": (0.5, 0.9),
        "tax_rate": (0.05, 0.08),
        "output_per_job": (50, 100),
        "group_lead": "assistant",
        "stems": [
            ("智慧物流园项目", ()),
            ("冷链物流中心项目", ()),
            ("电商快递分拨中心项目", ()),
            ("公路港物流枢纽项目", ()),
            ("多式联运集散中心项目", ()),
            ("供应链管理服务中心项目", ()),
            ("保税仓储物流项目", ()),
            ("农产品冷链集配中心项目", ()),
        ],
    },
]

SECOND_INDUSTRIES = [
    {
        "key": "smart",
        "name": "智能制造",
        "category": "leading",
        "gbt": "35",
        "park": "S-PARK",
        "alt_park": "S-PARK",
        "intensity": (250, 450),
        "output_ratio": (1.3, 1.8),
        "tax_rate": (0.035, 0.05),
        "output_per_job": (120, 200),
        "group_lead": "industry",
        "stems": [
            ("智能制造产业基地项目", ()),
            ("年产{n}台(套)自动化设备项目", (500, 1000)),
            ("精密模具生产线项目", ()),
            ("工业控制系统研发生产项目", ()),
        ],
    },
    {
        "key": "pharma",
        "name": "生物医药",
        "category": "emerging",
        "gbt": "27",
        "park": "S-PARK",
        "alt_park": "S-PARK",
        "intensity": (350, 650),
        "output_ratio": (1.5, 2.5),
        "tax_rate": (0.05, 0.08),
        "output_per_job": (120, 220),
        "group_lead": "head",
        "stems": [
            ("中药饮片及配方颗粒项目", ()),
            ("生物制剂研发生产基地项目", ()),
            ("医疗器械产业化项目", ()),
            ("原料药绿色制造项目", ()),
        ],
    },
    {
        "key": "trade",
        "name": "商贸物流",
        "category": "emerging",
        "gbt": "59",
        "park": "S-PARK",
        "alt_park": "S-PARK",
        "intensity": (150, 260),
        "output_ratio": (0.5, 0.9),
        "tax_rate": (0.05, 0.08),
        "output_per_job": (50, 100),
        "group_lead": "construction",
        "stems": [
            ("商贸物流中心项目", ()),
            ("医药冷链配送中心项目", ()),
            ("城市共同配送中心项目", ()),
        ],
    },
]

# Working groups of the work plan: (key, name, kind, leader key, department keys). The
# industry groups (one per industry) are added by the builder; their departments are the
# bureau, 经信局 and the committee of the industry's park.
DEMO_GROUPS = [
    (
        "leading",
        "招商引资领导小组",
        "leading_group",
        "head",
        ["bureau", "ndrc", "econ", "finance", "land", "works", "center", "perf"],
    ),
    ("major", "招大引强项目工作组", "major_projects", "executive", ["bureau", "ndrc", "econ", "center"]),
    (
        "infra",
        "基础设施保障工作组",
        "infrastructure",
        "construction",
        ["works", "transport", "water", "power", "tapwater", "gas", "planning"],
    ),
    ("land", "用地保障工作组", "land", "industry", ["land", "planning", "east", "north"]),
    ("funds", "资金保障工作组", "funds", "finance", ["finance", "tax", "ndrc", "bureau"]),
]
SECOND_GROUPS = [
    ("leading", "招商引资领导小组", "leading_group", "head", ["bureau", "center", "land", "perf"]),
    ("major", "招大引强项目工作组", "major_projects", "industry", ["bureau", "center", "works"]),
]

# ---------------------------------------------------------------------------------------------
# Enterprises: (name, short name, origin, region code of the credit code, home address
# prefix, industry key, note). Foreign-invested companies are registered in the district.
DEMO_LOCAL_REGION = ("510112", "锦川市东城区")
SECOND_LOCAL_REGION = ("510113", "锦川市西城区")

DEMO_ENTERPRISES = [
    # 装备制造
    ("锦川宏达重工机械有限公司", "宏达重工", "local", None, None, "equip", ""),
    ("四川蜀鑫精密机械制造有限公司", "蜀鑫精密", "in_province", "510600", "四川省德阳市旌阳区", "equip", ""),
    ("浙江恒锐智能装备股份有限公司", "恒锐智能", "out_of_province", "330110", "浙江省杭州市余杭区", "equip", ""),
    ("江苏天工数控机床有限公司", "天工数控", "out_of_province", "320505", "江苏省苏州市虎丘区", "equip", ""),
    ("锦川德玛精密传动有限公司", "德玛传动", "abroad", None, None, "equip", "外商投资企业(德国)"),
    ("广东力拓机器人科技有限公司", "力拓机器人", "out_of_province", "440306", "广东省深圳市宝安区", "equip", ""),
    ("德阳汇能重型装备有限公司", "汇能重装", "in_province", "510603", "四川省德阳市旌阳区", "equip", ""),
    ("锦川金鼎钢构工程有限公司", "金鼎钢构", "local", None, None, "equip", ""),
    ("上海博锐液压科技有限公司", "博锐液压", "out_of_province", "310115", "上海市浦东新区", "equip", ""),
    ("绵阳科泰动力设备有限公司", "科泰动力", "in_province", "510703", "四川省绵阳市涪城区", "equip", ""),
    ("山东鲁恒重型机械有限公司", "鲁恒重机", "out_of_province", "370211", "山东省青岛市黄岛区", "equip", ""),
    ("锦川新力农机装备有限公司", "新力农机", "local", None, None, "equip", ""),
    # 食品饮料
    ("锦川蜀味坊食品有限公司", "蜀味坊", "local", None, None, "food", ""),
    ("四川川香源调味品有限公司", "川香源", "in_province", "511102", "四川省乐山市市中区", "food", ""),
    ("宜宾醇香酒业有限公司", "醇香酒业", "in_province", "511502", "四川省宜宾市翠屏区", "food", ""),
    ("福建好味来食品有限公司", "好味来", "out_of_province", "350582", "福建省泉州市晋江市", "food", ""),
    ("锦川天府粮仓农业发展有限公司", "天府粮仓", "local", None, None, "food", ""),
    ("维康饮品(锦川)有限公司", "维康饮品", "abroad", None, None, "food", "外商投资企业(中国香港)"),
    ("河南豫丰面业有限公司", "豫丰面业", "out_of_province", "410104", "河南省郑州市管城区", "food", ""),
    ("重庆渝乡冷链食品有限公司", "渝乡食品", "out_of_province", "500112", "重庆市渝北区", "food", ""),
    ("锦川清泉饮用水有限公司", "清泉饮用水", "local", None, None, "food", ""),
    ("内蒙古青原乳业有限公司", "青原乳业", "out_of_province", "150105", "内蒙古自治区呼和浩特市赛罕区", "food", ""),
    ("乐山峨秀茶业有限公司", "峨秀茶业", "in_province", "511181", "四川省乐山市峨眉山市", "food", ""),
    # 新材料化工
    ("锦川锦化新材料科技有限公司", "锦化新材", "local", None, None, "chem", ""),
    ("江西赣源锂业有限公司", "赣源锂业", "out_of_province", "360502", "江西省新余市渝水区", "chem", ""),
    ("遂宁天华锂电材料有限公司", "天华锂电", "in_province", "510904", "四川省遂宁市安居区", "chem", ""),
    ("浙江华禾新材料股份有限公司", "华禾新材", "out_of_province", "330481", "浙江省嘉兴市海宁市", "chem", ""),
    ("亚太特种化学(锦川)有限公司", "亚太特化", "abroad", None, None, "chem", "外商投资企业(新加坡)"),
    ("山东齐润化工有限公司", "齐润化工", "out_of_province", "370305", "山东省淄博市临淄区", "chem", ""),
    ("锦川蓝天环保涂料有限公司", "蓝天涂料", "local", None, None, "chem", ""),
    ("宁波甬晟高分子材料有限公司", "甬晟高分子", "out_of_province", "330206", "浙江省宁波市北仑区", "chem", ""),
    ("自贡盐都精细化工有限公司", "盐都精化", "in_province", "510302", "四川省自贡市自流井区", "chem", ""),
    ("锦川三和化成有限公司", "三和化成", "abroad", None, None, "chem", "外商投资企业(日本)"),
    # 电子信息
    ("深圳华芯微电子有限公司", "华芯微电子", "out_of_province", "440305", "广东省深圳市南山区", "elec", ""),
    ("锦川英特光电科技有限公司", "英特光电", "local", None, None, "elec", ""),
    ("江苏苏讯通信设备有限公司", "苏讯通信", "out_of_province", "320211", "江苏省无锡市滨湖区", "elec", ""),
    ("锦川晶辉精密电子有限公司", "晶辉电子", "abroad", None, None, "elec", "外商投资企业(中国台湾)"),
    ("绵阳天虹电子科技有限公司", "天虹电子", "in_province", "510704", "四川省绵阳市游仙区", "elec", ""),
    ("北京中科睿芯半导体有限公司", "睿芯半导体", "out_of_province", "110108", "北京市海淀区", "elec", ""),
    ("锦川云图数据科技有限公司", "云图数据", "local", None, None, "elec", ""),
    ("东莞恒讯连接器有限公司", "恒讯连接器", "out_of_province", "441900", "广东省东莞市", "elec", ""),
    ("南充嘉陵电子有限公司", "嘉陵电子", "in_province", "511302", "四川省南充市顺庆区", "elec", ""),
    ("锦川韩光电子有限公司", "韩光电子", "abroad", None, None, "elec", "外商投资企业(韩国)"),
    # 通用航空
    ("锦川通航产业投资集团有限公司", "通航投资", "local", None, None, "avia", "区属国有企业"),
    ("北京翔宇通用航空有限公司", "翔宇通航", "out_of_province", "110105", "北京市朝阳区", "avia", ""),
    ("珠海翼展航空科技有限公司", "翼展航空", "out_of_province", "440404", "广东省珠海市金湾区", "avia", ""),
    ("四川蓝鹰无人机科技有限公司", "蓝鹰无人机", "in_province", "510603", "四川省德阳市旌阳区", "avia", ""),
    ("西安天翼航空零部件有限公司", "天翼航空", "out_of_province", "610116", "陕西省西安市长安区", "avia", ""),
    ("锦川云翔航空培训有限公司", "云翔培训", "local", None, None, "avia", ""),
    ("锦川阿尔卑斯航空器材有限公司", "阿尔卑斯航材", "abroad", None, None, "avia", "外商投资企业(奥地利)"),
    ("广汉飞鹰航空维修有限公司", "飞鹰维修", "in_province", "510681", "四川省德阳市广汉市", "avia", ""),
    ("湖南翔腾航空装备有限公司", "翔腾航空", "out_of_province", "430121", "湖南省长沙市长沙县", "avia", ""),
    # 现代物流
    ("锦川顺捷物流有限公司", "顺捷物流", "local", None, None, "logi", ""),
    ("四川川运物流有限公司", "川运物流", "in_province", "510704", "四川省绵阳市游仙区", "logi", ""),
    ("亚港仓储物流(锦川)有限公司", "亚港仓储", "abroad", None, None, "logi", "外商投资企业(新加坡)"),
    ("北京京迅供应链管理有限公司", "京迅供应链", "out_of_province", "110115", "北京市大兴区", "logi", ""),
    ("浙江运达公路港物流有限公司", "运达公路港", "out_of_province", "330109", "浙江省杭州市萧山区", "logi", ""),
    ("锦川冷链港供应链有限公司", "冷链港", "local", None, None, "logi", ""),
    ("重庆渝欧班列物流有限公司", "渝欧物流", "out_of_province", "500106", "重庆市沙坪坝区", "logi", ""),
    ("德阳天府陆港物流有限公司", "天府陆港", "in_province", "510681", "四川省德阳市广汉市", "logi", ""),
    ("锦川快运通电商物流有限公司", "快运通", "local", None, None, "logi", ""),
    # Park infrastructure (the district's own platform companies)
    ("锦川东城投资建设集团有限公司", "东城投资", "local", None, None, None, "区属国有平台公司"),
    ("锦川东城燃气发展有限公司", "东城燃气", "local", None, None, None, "区属国有企业"),
]

SECOND_ENTERPRISES = [
    ("锦川西林医药有限公司", "西林医药", "local", None, None, "pharma", ""),
    ("四川百草堂药业有限公司", "百草堂药业", "in_province", "511402", "四川省眉山市东坡区", "pharma", ""),
    ("江苏恒康生物科技有限公司", "恒康生物", "out_of_province", "321204", "江苏省泰州市姜堰区", "pharma", ""),
    ("康盛医疗器械(锦川)有限公司", "康盛医疗", "abroad", None, None, "pharma", "外商投资企业(中国香港)"),
    ("锦川西城智能装备有限公司", "西城智能", "local", None, None, "smart", ""),
    ("浙江宏远自动化设备有限公司", "宏远自动化", "out_of_province", "330604", "浙江省绍兴市上虞区", "smart", ""),
    ("锦川华西精密模具有限公司", "华西模具", "local", None, None, "smart", ""),
    ("锦川西部商贸城开发有限公司", "西部商贸城", "local", None, None, "trade", ""),
    ("广东粤通供应链有限公司", "粤通供应链", "out_of_province", "440113", "广东省广州市番禺区", "trade", ""),
    ("山东齐鲁康健制药有限公司", "康健制药", "out_of_province", "370112", "山东省济南市历城区", "pharma", ""),
]

ENTERPRISE_NOTE_PREFIX = {
    "local": "本地企业",
    "in_province": "省内企业",
    "out_of_province": "省外企业",
    "abroad": "境外投资",
}

# The enterprise of the `enterprise` demo account: several projects (一期, 二期 …).
PORTAL_ENTERPRISE = "锦川宏达重工机械有限公司"
SECOND_PORTAL_ENTERPRISE = "锦川西林医药有限公司"

ROADS = (
    "工业大道 创新路 科技路 长江路 滨河路 兴业大道 经开大道 航空路 物流大道 锦华路 "
    "东城大道 嘉禾路 金桥路 天府大道 蜀兴路"
).split()

# ---------------------------------------------------------------------------------------------
# How many projects in each stage (SPEC §18: about 120 in all, every stage). The park
# infrastructure projects of the work plan come on top, with their own stages.
DEMO_STAGE_COUNTS = {
    "lead": 10,
    "negotiating": 10,
    "prereview": 8,
    "signed": 11,
    "registered": 9,
    "land_delivered": 10,
    "started": 18,
    "completed": 10,
    "production": 14,
    "capacity": 10,
    "terminated": 4,
    "exited": 2,
}
SECOND_STAGE_COUNTS = {
    "lead": 1,
    "negotiating": 1,
    "prereview": 1,
    "signed": 1,
    "registered": 1,
    "land_delivered": 1,
    "started": 2,
    "completed": 1,
    "production": 1,
    "capacity": 1,
    "terminated": 1,
}

# Park infrastructure projects named in the work plan (基础设施建设): name, park, enterprise,
# total, fixed-asset investment (万元), land (亩), stage.
DEMO_INFRASTRUCTURE = [
    ("东城工业集中发展区园区综合体项目", "P-EQUIP", "东城投资", 62000, 60000, 85, "started"),
    ("新材料化工园配气站项目", "P-CHEM", "东城燃气", 8600, 8200, 12, "land_delivered"),
    ("东城园区污水处理厂项目", "P-FOOD", "东城投资", 26000, 25200, 48, "completed"),
    ("通航产业园区主干道项目", "P-AVIA", "东城投资", 45000, 44500, 160, "started"),
]
INFRASTRUCTURE_DESCRIPTIONS = {
    "东城工业集中发展区园区综合体项目": "建设集政务服务、企业孵化、人才公寓、商务配套于一体的园区综合体,总建筑面积约12万平方米,提升园区综合服务功能。",
    "新材料化工园配气站项目": "建设天然气门站及配气站一座,配套中压管网约8公里,保障新材料化工园企业生产用气。",
    "东城园区污水处理厂项目": "建设日处理能力3万吨的工业污水处理厂及配套管网,出水执行一级A标准,解决园区企业污水集中处理。",
    "通航产业园区主干道项目": "新建通航产业园区主干道约4.2公里,双向六车道,同步建设给排水、电力、通信、燃气管网。",
}

# ---------------------------------------------------------------------------------------------
# Words for stages, conditions and progress (the product's language is Chinese; these are
# stored as data, like a user would type them).
STAGE_ZH = {
    "lead": "线索",
    "negotiating": "在谈",
    "prereview": "预审",
    "signed": "已签约",
    "registered": "已注册",
    "land_delivered": "已供地",
    "started": "已开工",
    "completed": "已竣工",
    "production": "已投产",
    "capacity": "已达产",
    "terminated": "已终止",
    "exited": "已退出",
}
TEAM_ROLE_ZH = {
    "manager": "项目经理",
    "secretary": "项目秘书",
    "service_officer": "服务专员",
    "leading_group": "专门领导小组成员",
}

SOURCE_WEIGHTS = [
    ("business_referral", 22),
    ("resident", 18),
    ("expo", 16),
    ("industry_chain", 24),
    ("direct", 20),
]

DELAY_REASONS_OWN = [
    "企业融资未按期到位,建设进度滞后(企业自身原因)",
    "企业调整施工图设计,开工时间推迟(企业自身原因)",
    "企业股东结构调整,注册资本金未按期缴纳(企业自身原因)",
    "企业产品方案调整,设备采购推迟(企业自身原因)",
]
DELAY_REASONS_EXTERNAL = [
    "雨季影响土方及主体施工,工期滞后约两个月",
    "设备供货商交付延期,安装调试推迟",
    "施工用电增容工程未完成,影响设备调试",
    "天然气管网接入滞后,影响试生产",
    "进口设备清关延迟,安装计划顺延",
]
STOP_REASONS = [
    "企业资金链紧张,项目停建,正在引入战略投资者",
    "中央环保督察反馈问题整改,暂停施工",
]
# Why talks ended (已终止), by the stage they ended in.
TERMINATION_REASONS = {
    "lead": ["企业投资战略调整,未进入实质性洽谈", "企业选址意向转向其他地区,线索关闭"],
    "negotiating": [
        "企业投资战略调整,双方终止洽谈",
        "用地需求超出园区可供地规模,双方未达成一致",
        "企业要求的扶持政策超出我区政策范围,终止洽谈",
    ],
    "prereview": [
        "项目产品不符合园区产业定位,预审未通过",
        "环评预审意见认为项目排放总量无法落实,终止引进",
    ],
}
EXIT_REASONS = {
    "land": "土地交付后因企业自身原因逾期未开工(三个月不开工),经限期整改仍未开工,依投资协议清退并收回土地",
    "production": "因企业自身原因土地交付两年未投产(两年不投产),项目长期停建,经限期整改无果,依投资协议清退",
}
BACKWARD_REASONS = {
    "prereview": "环评预审意见要求调整产品方案,退回在谈阶段重新论证",
    "started": "规划设计变更,原施工许可证注销,需重新办理施工许可",
}

# Image progress (形象进度) by stage. A list is in the order the work goes, and is picked by
# the time spent in the stage; for construction, (share of the works done, texts) pairs.
PROGRESS_TEXTS = {
    "signed": [
        "项目完成备案,正在编制可行性研究报告",
        "开展项目初步设计及方案论证",
        "办理项目公司注册及前期手续",
    ],
    "registered": [
        "项目公司注册完成,正在办理用地预审及规划选址",
        "环评、能评报告编制中",
        "完成地质勘察招标,编制总平面布置方案",
    ],
    "land_delivered": [
        "完成地质勘察,施工图设计审查中",
        "场地平整,完成约{pct}%",
        "临时用水用电接入,施工围挡搭设完成",
        "施工单位招标完成,办理施工许可",
    ],
    "started": [
        (0.08, ["场地平整及土方开挖"]),
        (0.2, ["桩基及基础施工,完成约{pct}%"]),
        (0.6, ["主体结构施工,完成约{pct}%", "厂房钢结构吊装,完成约{pct}%"]),
        (0.8, ["厂房主体封顶,屋面及墙面围护施工", "综合楼主体封顶,内外装饰施工"]),
        (1.01, ["厂区道路及管网配套施工", "设备基础施工,部分设备进场"]),
    ],
    "infra_started": [
        (0.25, ["场地平整及基础施工,完成约{pct}%"]),
        (0.7, ["主体工程施工,完成约{pct}%"]),
        (1.01, ["配套管网及附属设施施工,完成约{pct}%"]),
    ],
    "completed": [
        "设备安装调试,完成约{pct}%",
        "生产线联动调试",
        "办理竣工验收备案及消防、环保专项验收",
        "员工招聘及岗前培训",
    ],
    "infra_completed": ["竣工验收完成,开展试运行", "配套管网接驳调试"],
    "production": [
        "试生产,产品良率逐步提升",
        "产能爬坡,产能利用率约{pct}%",
        "生产线投产运行,产能利用率约{pct}%,本月产值约{value}万元",
    ],
    "capacity": [
        "满负荷生产,本月产值约{value}万元",
        "稳定生产,开展技改扩能前期工作",
        "达产运行,订单饱满,本月产值约{value}万元",
    ],
    "stopped": "项目停建,现场设专人看护",
    "infra_running": "设施投入运行,运行平稳",
}
PROBLEMS = [
    "施工临时用电容量不足,需供电公司增容",
    "天然气管网接入滞后,影响设备调试",
    "项目融资贷款审批周期较长,资金到位偏慢",
    "技术工人招聘困难,需人社部门协助对接",
    "进场道路未完全贯通,大件设备运输不便",
    "雨季影响土方施工进度",
    "施工图审查意见整改中",
    "部分进口设备清关延迟",
    "消防设计审查意见待落实",
    "污水管网接入点尚未明确",
]
FUNDS_NOTES = ["自有资金", "银行贷款", "股东增资", "设备融资租赁", "母公司借款"]

ENERGY_COMMITMENT = (
    "单位产品综合能耗不高于行业先进值;年综合能耗控制在{tce}吨标准煤以内;"
    "废水、废气、噪声排放达到国家及地方标准;严格落实环评批复的各项污染防治措施。"
)
ENERGY_COMMITMENT_CHEM = (
    "单位产品综合能耗不高于行业先进值;年综合能耗控制在{tce}吨标准煤以内;"
    "VOCs排放执行特别排放限值,危险废物100%合规处置;建设事故应急池并接入园区应急体系。"
)
