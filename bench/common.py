"""What every part of the benchmark (bench/run.py) shares: the scale, the generator's places and
names, the environment of a phase's process, and logging to stderr."""

from __future__ import annotations

import resource
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/laojiu_bench"
VERSION = 5  # of the generator (5: the estates' contract facts): a database loaded by another version is reloaded
YEAR = 2019
CASES_AT_FULL_SCALE = 1_000_000
FULL_SCALE = 220_000
PER_COMMUNITY = 20
PER_STREET = 200
PER_DISTRICT = 2_000
PLACES = [
    "梅园",
    "长江",
    "北门",
    "珠江",
    "丹凤",
    "兰园",
    "龙蟠",
    "清凉",
    "石鼓",
    "汉中",
    "虎踞",
    "江东",
    "莫愁",
    "南湖",
    "水佐岗",
    "百子亭",
    "锁金",
    "后宰门",
    "孝陵",
    "光华",
    "瑞金",
    "大光",
    "月牙",
    "五老",
    "双塘",
    "夫子庙",
    "中华",
    "雨花",
    "铁心",
    "西善",
    "迈皋",
    "燕子矶",
    "尧化",
    "马群",
    "仙林",
    "东井",
    "宁海",
    "湖南",
    "挹江",
    "凤凰",
    "热河",
    "宝塔",
    "小市",
    "幕府",
    "兴隆",
    "沙洲",
    "双闸",
    "南苑",
    "秦虹",
    "红花",
    "朝天宫",
    "银城",
]
SUFFIXES = ["新村", "小区", "花园", "苑", "里", "公寓", "大院", "东村", "西村", "北村", "南村", "一村", "二村", "三村"]
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "LOG_LEVEL": "WARNING",
}


def log(msg: str):
    print(msg, file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cases_for(n: int) -> tuple[int, int]:
    total = round(CASES_AT_FULL_SCALE * n / FULL_SCALE)
    return total // 2, total - total // 2


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))
