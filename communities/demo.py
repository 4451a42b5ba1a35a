"""The demo city's registry: communities, ~2,300 estates, firms and committees — synthetic but
shaped like Nanjing's old estates (average ~32,600 m² and ~430 households)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from .choices import EstateCategory, FirmFounding, ManagementMode
from .models import CommitteeMember, Community, District, Estate, PropertyCommittee, ServiceFirm, Street
from .validators import CREDIT_CODE_ALPHABET, credit_code_check_character

# Each district's own place names and an approximate bounding box (latitude, longitude), so that
# a 玄武区 estate is named after a 玄武区 place and lies in 玄武区, not in 溧水.
DISTRICT_AREAS: dict[str, tuple[tuple[str, ...], tuple[float, float], tuple[float, float]]] = {
    "320102": (
        (
            "梅园",
            "北门",
            "丹凤",
            "兰园",
            "龙蟠",
            "后宰门",
            "锁金",
            "孝陵",
            "百子亭",
            "玄武门",
            "珠江",
            "红山",
            "樱驼",
            "四牌楼",
            "成贤",
            "太平门",
            "童卫",
            "花园路",
        ),
        (32.035, 32.095),
        (118.785, 118.870),
    ),
    "320104": (
        (
            "夫子庙",
            "光华",
            "瑞金",
            "大光",
            "月牙",
            "五老",
            "双塘",
            "中华",
            "红花",
            "秦虹",
            "洪武",
            "止马营",
            "评事街",
            "武定门",
            "蓝旗",
            "钓鱼台",
            "石门坎",
            "窑湾",
        ),
        (31.985, 32.040),
        (118.765, 118.835),
    ),
    "320105": (
        (
            "江东",
            "莫愁",
            "南湖",
            "沙洲",
            "双闸",
            "南苑",
            "兴隆",
            "茶南",
            "水西门",
            "集庆门",
            "奥体",
            "所街",
            "云锦",
            "嘉陵江",
            "河西",
        ),
        (31.960, 32.040),
        (118.690, 118.760),
    ),
    "320106": (
        (
            "清凉",
            "石鼓",
            "汉中",
            "虎踞",
            "水佐岗",
            "宁海",
            "湖南",
            "挹江",
            "凤凰",
            "热河",
            "宝塔",
            "小市",
            "幕府",
            "华侨",
            "阅江",
            "草场门",
            "三牌楼",
            "渊声",
            "江东门",
        ),
        (32.045, 32.115),
        (118.730, 118.790),
    ),
    "320111": (
        ("江浦", "浦口", "求雨山", "桥林", "汤泉", "星甸", "永宁", "珠江镇", "象山", "凤凰山", "东门"),
        (31.980, 32.120),
        (118.560, 118.680),
    ),
    "320113": (
        (
            "迈皋",
            "燕子矶",
            "尧化",
            "马群",
            "仙林",
            "栖霞",
            "八卦洲",
            "龙潭",
            "靖安",
            "和燕",
            "晓庄",
            "化工",
            "东阳",
            "宝华",
        ),
        (32.090, 32.180),
        (118.830, 119.000),
    ),
    "320114": (
        ("雨花", "铁心", "西善", "赛虹", "宁南", "板桥", "梅山", "古雄", "安德门", "共青团", "凤翔", "油坊桥"),
        (31.930, 31.995),
        (118.700, 118.800),
    ),
    "320115": (
        (
            "东山",
            "秣陵",
            "汤山",
            "淳化",
            "禄口",
            "谷里",
            "湖熟",
            "横溪",
            "麒麟",
            "竹山",
            "上坊",
            "百家湖",
            "岔路口",
            "土桥",
        ),
        (31.760, 31.950),
        (118.730, 118.980),
    ),
    "320116": (
        ("雄州", "龙池", "程桥", "冶山", "竹镇", "马鞍", "金牛湖", "横梁", "龙袍", "延安", "棠城"),
        (32.280, 32.420),
        (118.770, 118.930),
    ),
    "320117": (
        ("永阳", "柘塘", "白马", "东屏", "石湫", "洪蓝", "和凤", "晶桥", "秦淮源", "中山"),
        (31.580, 31.700),
        (118.970, 119.120),
    ),
    "320118": (
        ("淳溪", "古柏", "阳江", "砖墙", "桠溪", "东坝", "固城", "漆桥", "宝塔路", "镇兴"),
        (31.290, 31.360),
        (118.850, 119.020),
    ),
    "JBXQ": (
        ("泰山", "顶山", "沿江", "盘城", "大厂", "葛塘", "长芦", "泰冯", "新华"),
        (32.100, 32.250),
        (118.650, 118.800),
    ),
}


# The city's registry was loaded once the notice took effect, before the first assessed year (the
# demo's cycle runs are dated in 2018–2021): a unit or an estate dated "today" would be one the
# registry learnt of after those runs, and so no part of their years (communities.coverage.estates_as_of).
REGISTERED = dt.datetime(2017, 12, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def district_places(district_code: str) -> tuple[str, ...]:
    return DISTRICT_AREAS[district_code][0]


def point_in(rng, district_code: str) -> tuple[Decimal, Decimal]:
    """A point inside the district's box, to 6 decimal places."""
    _, (lat_low, lat_high), (lng_low, lng_high) = DISTRICT_AREAS[district_code]

    def pick(low, high):
        return Decimal(str(round(rng.uniform(low, high), 6)))

    return pick(lat_low, lat_high), pick(lng_low, lng_high)


# Communities take their street's name: 梅园新村街道 → 梅园新村社区, 梅园新村东社区, …
COMMUNITY_QUARTERS = ("", "东", "西", "南", "北", "中", "新")
SUFFIX = ["新村", "小区", "花园", "苑", "里", "公寓", "大院", "东村", "西村", "北村", "南村", "一村", "二村", "三村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕玉兰红梅文斌晓东丽娟国庆春梅"


def person_name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def mobile(rng) -> str:
    return (
        rng.choice(["138", "139", "136", "151", "152", "158", "187", "180", "133", "177"])
        + f"{rng.randrange(10**8):08d}"
    )


def credit_code(rng, district_code: str) -> str:
    body = (
        "91"
        + (district_code if district_code.isdigit() else "320100")
        + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    )
    return body + credit_code_check_character(body)


def estate_count_for(street: Street, rng) -> int:
    """Old estates cluster in the six main districts."""
    if street.district.is_main_urban:
        return rng.randint(24, 40)
    if street.district.code == "JBXQ":
        return rng.randint(10, 20)
    return rng.randint(4, 12) if street.kind == "street" else rng.randint(1, 4)


def build(rng, ctx) -> None:
    districts = {d.code: d for d in District.objects.all()}
    streets = list(Street.objects.select_related("district").order_by("code"))
    ctx["districts"], ctx["streets"] = districts, streets

    firms = []
    for i in range(48):
        district = rng.choice([d for d in districts.values() if d.is_main_urban] * 3 + list(districts.values()))
        public = i < 36
        street = None
        if public and rng.random() < 0.4:
            candidates = [s for s in streets if s.district_id == district.id]
            street = rng.choice(candidates) if candidates else None
        firms.append(
            ServiceFirm(
                name=f"南京{rng.choice(district_places(district.code))}{'公益' if public else ''}物业服务有限公司{i + 1:02d}",
                credit_code=credit_code(rng, district.code),
                is_public_welfare=public,
                founding=rng.choice(list(FirmFounding.values)) if public else "",
                district=district,
                street=street,
                legal_representative=person_name(rng),
                phone=mobile(rng),
            )
        )
    firms = bulk_create_with_history(firms, ServiceFirm, default_user=ctx["system"], default_date=REGISTERED)
    firms = list(ServiceFirm.objects.order_by("id"))
    public_firms = [f for f in firms if f.is_public_welfare]
    market_firms = [f for f in firms if not f.is_public_welfare]

    communities = []
    for street in streets:
        street.residential_estate_count = (
            rng.choice([60, 85, 98, 99, 100, 101, 120, 150, 180])
            if street.district.is_main_urban
            else rng.randint(20, 90)
        )
        base = street.short_name or street.name.removesuffix("街道").removesuffix("镇")
        for quarter in COMMUNITY_QUARTERS[: rng.randint(3, 7)]:
            communities.append(Community(name=f"{base}{quarter}社区", street=street, district_id=street.district_id))
    Street.objects.bulk_update(streets, ["residential_estate_count"])
    bulk_create_with_history(communities, Community, default_user=ctx["system"], default_date=REGISTERED)
    by_street: dict[int, list[Community]] = {}
    for c in Community.objects.order_by("id"):
        by_street.setdefault(c.street_id, []).append(c)
    ctx["communities"] = by_street

    estates = []
    names = set()
    for street in streets:
        for serial in range(1, estate_count_for(street, rng) + 1):
            community = rng.choice(by_street[street.id])
            area = Decimal(int(math.exp(rng.gauss(math.log(26000), 0.6)) * 100)) / 100
            area = max(Decimal("1800.00"), min(area, Decimal("260000.00")))
            roll = rng.random()
            if roll < 0.46:
                category, renovation_year = (
                    EstateCategory.RENOVATED,
                    rng.choice([2012, 2014, 2015, 2016, 2017, 2017, 2018, 2018, 2019, 2020]),
                )
            elif roll < 0.9:
                category, renovation_year = EstateCategory.UNRENOVATED, None
            else:
                category, renovation_year = EstateCategory.AFFORDABLE, None
            mode, firm = _mode(rng, category, public_firms, market_firms)
            places = district_places(street.district.code)
            name = f"{rng.choice(places)}{rng.choice(SUFFIX)}"
            while name in names:
                name = f"{rng.choice(places)}{rng.choice(places)}{rng.choice(SUFFIX)}"
            names.add(name)
            latitude, longitude = point_in(rng, street.district.code)
            estates.append(
                Estate(
                    code=f"{street.code}{serial:03d}",
                    name=name,
                    community=community,
                    street=street,
                    district_id=street.district_id,
                    address=f"{street.short_name}{rng.choice(places)}路{rng.randint(1, 300)}号",
                    grid_code=f"{street.code}-{rng.randint(1, 30):02d}",
                    year_built=rng.randint(1958, 1999),
                    building_area=area,
                    households=max(20, int(area / Decimal(rng.randint(62, 88)))),
                    buildings=max(1, int(area / 2800)),
                    category=category,
                    renovation_year=renovation_year,
                    management_mode=mode,
                    service_firm=firm,
                    latitude=latitude,
                    longitude=longitude,
                )
            )
    bulk_create_with_history(estates, Estate, batch_size=500, default_user=ctx["system"], default_date=REGISTERED)
    ctx["estates"] = list(Estate.objects.order_by("code"))

    committees, members = [], []
    today = dt.date.today()
    for estate in ctx["estates"]:
        if estate.management_mode == ManagementMode.SELF_MANAGED or rng.random() < 0.18:
            start = today - dt.timedelta(days=rng.randint(30, 700))
            committees.append(
                PropertyCommittee(
                    estate=estate,
                    district_id=estate.district_id,
                    street_id=estate.street_id,
                    community_id=estate.community_id,
                    name=f"{estate.name}物业管理委员会",
                    formed_on=start,
                    term_start=start,
                    term_end=start + dt.timedelta(days=730),
                    service_standard="保洁每日一次；秩序维护全天；绿化每月修剪两次。",
                )
            )
    bulk_create_with_history(committees, PropertyCommittee, default_user=ctx["system"])
    for committee in PropertyCommittee.objects.all():
        size = rng.randint(5, 9)
        for i in range(size):
            members.append(
                CommitteeMember(
                    committee=committee,
                    name=person_name(rng),
                    role="director" if i == 0 else ("deputy" if i == 1 else "member"),
                    is_owner=i < size - 1,
                    phone=mobile(rng),
                )
            )
    bulk_create_with_history(members, CommitteeMember, batch_size=1000, default_user=ctx["system"])
    _registered_before_the_years()


def _registered_before_the_years() -> None:
    """created_at of the units, firms and estates; their history is written with that date."""
    for model in (District, Street, Community, ServiceFirm, Estate):
        model.objects.update(created_at=REGISTERED)


def _mode(rng, category, public_firms, market_firms):
    r = rng.random()
    if category == EstateCategory.UNRENOVATED:
        if r < 0.55:
            return ManagementMode.BASIC_SERVICE, None
        if r < 0.8:
            return ManagementMode.PUBLIC_WELFARE, rng.choice(public_firms)
        if r < 0.9:
            return ManagementMode.SELF_MANAGED, None
        if r < 0.95:
            return ManagementMode.MARKET, rng.choice(market_firms)  # flagged for review
        return ManagementMode.NONE, None
    if r < 0.6:
        return ManagementMode.PUBLIC_WELFARE, rng.choice(public_firms)
    if r < 0.82:
        return ManagementMode.MARKET, rng.choice(market_firms)
    if r < 0.94:
        return ManagementMode.SELF_MANAGED, None
    if r < 0.97:
        return ManagementMode.BASIC_SERVICE, None  # a coverage gap
    return ManagementMode.NONE, None
