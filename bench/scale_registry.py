"""A bare registry for plan and timing checks at 100,000 and 1,000,000 households, built by SQL alone.

    createdb -h 127.0.0.1 -U postgres jd_scale_sql_1m
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jd_scale_sql_1m DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/scale_registry.py 9 1000000     # counties, households (100000 with 1 county)

seed_demo --counties builds the real demo (families, incomes, history, the round); on a box too loaded to
run it (bench/README.md, "Scale") this builds the same area trees (villages.demo: 师宗县's real one, the other
counties generated) and fills them with INSERT … SELECT in PostgreSQL: households spread evenly over the
村民小组, 3–4 members each (no history rows, no incomes), a third of them on the 扶贫 roll, 12% on 低保;
ANALYZE at the end. The demo's accounts are made for the pages bench_scale.py opens.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.db import connection, transaction

    from accounts.demo import create_city_user, create_demo_users, demo_area_codes
    from villages.demo import (
        CITY_CODE,
        CITY_NAME,
        QUJING_COUNTIES,
        create_areas,
        demo_area_tree,
        generated_county_tree,
    )
    from villages.models import Area

    counties, households = int(sys.argv[1]), int(sys.argv[2])
    started = time.monotonic()
    with transaction.atomic():
        areas = create_areas(demo_area_tree(random.Random(2012)))
        create_demo_users({code: areas[code] for code in demo_area_codes()})
        if counties > 1:
            city = Area.objects.create(code=CITY_CODE, name=CITY_NAME, level=Area.Level.CITY)
            Area.objects.filter(code="530323000000").update(parent=city)
            create_city_user(city)
            for code, name, townships in QUJING_COUNTIES[1:counties]:
                create_areas(generated_county_tree(code, name, townships), parent=city)
    print(f"区划 {time.monotonic() - started:.0f} 秒", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM villages_area WHERE level = 'group'")
        groups = cursor.fetchone()[0]
        per_group = -(-households // groups)
        cursor.execute(
            """
            INSERT INTO households_household (number, group_id, area_code, persons, address, phone, bank_name,
                bank_account, standard, attribute, main_cause, other_causes, other_cause_note, deep_poverty,
                road_type, dangerous_house_grade, fuel, created_at, updated_at)
            SELECT g.code || lpad(i::text, 4, '0'), g.id, g.code, 0, '', '', '', '', '国家标准',
                   (ARRAY['一般贫困户', '低保贫困户', '特困供养贫困户'])[1 + (g.id + i) %% 3],
                   (ARRAY['因病', '缺资金', '缺技术', '缺劳力', '因残', '因学'])[1 + (g.id * 7 + i) %% 6],
                   '{}', '', false, '', '', '', now(), now()
              FROM (SELECT id, code, row_number() OVER (ORDER BY code) AS n FROM villages_area
                     WHERE level = 'group') g, generate_series(1, %s) i
             WHERE (g.n - 1) * %s + i <= %s
            """,
            [per_group, per_group, households],
        )
        print(f"户 {time.monotonic() - started:.0f} 秒", flush=True)
        cursor.execute(
            """
            INSERT INTO households_member (household_id, person_number, name, id_number, gender, birth_date,
                relation, ethnicity, education, school_status, health, disability_certificate, disability_grade,
                labour, work_status, basic_medical_insurance, serious_illness_insurance, pension_insurance,
                serviceman, phone, removal_reason)
            SELECT h.id, '', '张三', lpad((h.id * 4 + k)::text, 17, '0') || '1', '男', '1980-01-01',
                   CASE k WHEN 0 THEN '户主' ELSE '之子' END, '汉族', '', '非在校生', '健康', '', '', '', '',
                   true, false, false, false, '', ''
              FROM households_household h, generate_series(0, 2 + h.id % 2) k
            """
        )
        print(f"成员 {time.monotonic() - started:.0f} 秒", flush=True)
        cursor.execute(
            """
            INSERT INTO households_case (household_id, program, entered_year, state, poverty_class, note)
            SELECT id, 'fupin', 2014, CASE WHEN id % 12 = 0 THEN 'lifted' ELSE 'active' END, 1 + id % 3, ''
              FROM households_household WHERE id % 3 = 0
            UNION ALL
            SELECT id, 'dibao', 2014, 'active', 1, '' FROM households_household WHERE id % 25 < 3
            """
        )
        cursor.execute("ANALYZE")
    print(f"完成:{households} 户,{time.monotonic() - started:.0f} 秒", flush=True)


if __name__ == "__main__":
    main()
