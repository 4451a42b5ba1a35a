"""The two default policies of policy-defaults.md §4–5 (宁政办发〔2017〕215号 十一.1 and 十一.2),
as data: city_admin edits them or adds the next period's."""

from decimal import Decimal

from django.db import migrations

SIX = ("玄武区", "秦淮区", "建邺区", "鼓楼区", "栖霞区", "雨花台区")
SOURCE = "宁政办发〔2017〕215号《市政府办公厅关于进一步加强全市老旧小区管理工作的通知》"
MANAGEMENT = "主城六区老旧小区管理扶持资金（2018—2020年）"
STARTUP = "2018年起整治老旧小区长效管理扶持"


def add(apps, schema_editor):
    Policy = apps.get_model("subsidies", "Policy")
    District = apps.get_model("communities", "District")
    districts = list(District.objects.filter(name__in=SIX))
    if not Policy.objects.filter(name=MANAGEMENT).exists():
        p = Policy.objects.create(
            kind="management", name=MANAGEMENT, source_document=f"{SOURCE} 十一.1", valid_from_year=2018,
            valid_to_year=2020, categories=["renovated", "unrenovated"], city_share=Decimal("0.25"),
            notes="按考核等级每年每平方米补贴：三星3.60元、二星2.40元、一星1.20元；不达标不予补贴。市、区按1:3承担。",
        )
        p.districts.set(districts)
        for grade, rate in (("三星", "3.60"), ("二星", "2.40"), ("一星", "1.20")):
            p.rates.create(grade=grade, rate=Decimal(rate))
    if not Policy.objects.filter(name=STARTUP).exists():
        p = Policy.objects.create(
            kind="startup", name=STARTUP, source_document=f"{SOURCE} 十一.2", valid_from_year=2018,
            valid_to_year=None, categories=["renovated"], city_share=Decimal("0.25"), renovated_from_year=2018,
            tranche_shares=["0.50", "0.30", "0.20"],
            notes="按建筑面积核定扶持总额，分三年拨付（50%、30%、20%），当年参加考核方予拨付，未拨付部分不结转。",
        )
        p.districts.set(districts)
        for min_area, total in (("0", 12_000_000), ("50000", 16_000_000), ("100000", 20_000_000)):
            p.tiers.create(min_area=Decimal(min_area), total_fen=total)


def remove(apps, schema_editor):
    apps.get_model("subsidies", "Policy").objects.filter(name__in=[MANAGEMENT, STARTUP]).delete()


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial"), ("communities", "0002_load_units")]
    operations = [migrations.RunPython(add, remove)]
