"""The code lists as people type them: every spelling a county roster holds, mapped to the national value.

One table per code list, in this one place; the roster import reads cells through `national_value`, and
households/README.md lists the same tables (a test keeps them in step). A spelling that could mean two
national values is refused with both named ("县内务工": 乡(镇)内 or 乡(镇)外县内?), never guessed; a value
in no table is refused with the whole list of valid values.

Spellings are compared after NFKC (full-width brackets and letters become ASCII) and without blanks, so
"乡（镇）内务工" and "乡(镇) 内务工" are one spelling.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from households import choices


@dataclass(frozen=True)
class CodeList:
    label: str  # 与户主关系, as the messages name the list
    values: tuple[str, ...]  # the national values, in the form's order
    variants: dict[str, str] = field(default_factory=dict)  # spelling → national value ("" = blank)
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)  # spelling → what it could mean

    def read(self, text: str) -> str:
        """The national value `text` stands for; ValueError (in Chinese) for an unknown or ambiguous one."""
        key = spelling_key(text)
        if key in self.values:
            return key
        if key in self.variants:
            return self.variants[key]
        if key in self.ambiguous:
            meant = "”或“".join(self.ambiguous[key])
            raise ValueError(
                f"“{text}”有歧义,可能是“{meant}”,请写明是哪一种。{self.label}的有效值为:{self.allowed()}"
            )
        raise ValueError(f"“{text}”不是有效的{self.label},有效值为:{self.allowed()}")

    def allowed(self) -> str:
        return "、".join(self.values)


def spelling_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _each(values: str, national: str) -> dict[str, str]:
    return dict.fromkeys(values.split(), national)


R = choices.Relation
RELATION = CodeList(
    "与户主关系",
    tuple(R.values),
    {
        **_each("本人 户主本人", R.HEAD),
        **_each("妻子 妻 丈夫 夫 爱人 夫妻 配偶(妻子) 配偶(丈夫)", R.SPOUSE),
        **_each("子 儿子 长子 次子 三子 四子 五子 独子 养子 继子", R.SON),
        **_each("女 女儿 长女 次女 三女 四女 五女 独女 养女 继女", R.DAUGHTER),
        **_each("儿媳 儿媳妇 媳妇 之媳", R.DAUGHTER_IN_LAW),
        **_each("女婿 之婿", R.SON_IN_LAW),
        **_each("孙子 孙 长孙 次孙", R.GRANDSON),
        **_each("孙女 长孙女 次孙女", R.GRANDDAUGHTER),
        **_each("外孙 外孙子", R.DAUGHTERS_SON),
        **_each("外孙女", R.DAUGHTERS_DAUGHTER),
        **_each("父亲 父 爸爸", R.FATHER),
        **_each("母亲 母 妈妈", R.MOTHER),
        **_each("岳父", R.FATHER_IN_LAW),
        **_each("岳母", R.MOTHER_IN_LAW),
        **_each("公公", R.HUSBANDS_FATHER),
        **_each("婆婆", R.HUSBANDS_MOTHER),
        **_each("祖父 爷爷", R.GRANDFATHER),
        **_each("祖母 奶奶", R.GRANDMOTHER),
        **_each(
            "兄弟姐妹 兄 弟 姐 妹 哥哥 弟弟 姐姐 妹妹 兄弟 姐妹 之兄 之弟 之姐 之妹 之兄弟 之姐妹",
            R.SIBLING,
        ),
        **_each("其它 其他亲属", R.OTHER),
    },
)

W = choices.WorkStatus
WORK_STATUS = CodeList(
    "务工状况",
    tuple(W.values),
    {
        **_each("乡镇内务工 乡内务工 镇内务工 本乡镇务工 乡(镇)内", W.IN_TOWNSHIP),
        **_each("乡镇外县内务工 乡外县内务工 镇外县内务工 县内乡镇外务工 乡(镇)外县内", W.IN_COUNTY),
        # 县内 is named on its own (乡(镇)内 / 乡(镇)外县内): 省内 without more is work outside the county.
        **_each("省内务工 县外省内 省内县外务工 省内县外 州内务工 市内县外务工", W.IN_PROVINCE),
        **_each("省外 外省务工 出省务工 省外务工人员", W.OUT_OF_PROVINCE),
        **_each("其它", W.OTHER),
        **_each("无 未务工 不务工 非务工 否", ""),
    },
    {
        "县内务工": (W.IN_TOWNSHIP, W.IN_COUNTY),
        "县内": (W.IN_TOWNSHIP, W.IN_COUNTY),
        "县外务工": (W.IN_PROVINCE, W.OUT_OF_PROVINCE),
        "外出务工": (W.IN_COUNTY, W.IN_PROVINCE, W.OUT_OF_PROVINCE),
        "务工": tuple(W.values),
    },
)

H = choices.Health
HEALTH = CodeList(
    "健康状况",
    tuple(H.values),
    {
        **_each("良好 好 正常 健康人", H.HEALTHY),
        **_each("慢性病 长期慢性病患者 患慢性病 慢性病患者", H.CHRONIC),
        **_each("大病 患大病 重病 重大疾病 大病患者", H.SERIOUS),
        **_each("残疾人 残 残疾人员", H.DISABLED),
    },
    {"疾病": (H.CHRONIC, H.SERIOUS), "患病": (H.CHRONIC, H.SERIOUS), "有病": (H.CHRONIC, H.SERIOUS)},
)

L = choices.Labour
LABOUR = CodeList(
    "劳动技能",
    tuple(L.values),
    {
        **_each("普通 普通劳力 劳动力 有劳动力 一般劳动力", L.ORDINARY),
        **_each("技能 技能劳力 技术劳动力 有技能", L.SKILLED),
        **_each("丧失 丧失劳力 丧失劳动能力", L.LOST),
        **_each("无 无劳力 无劳动能力", L.NONE),
    },
    # 弱劳动力 (the later national list's 弱劳动力或半劳动力) is neither full nor none: refused, not guessed.
    {
        "弱劳动力或半劳动力": (L.ORDINARY, L.LOST),
        "弱劳动力": (L.ORDINARY, L.LOST),
        "半劳动力": (L.ORDINARY, L.LOST),
    },
)

E = choices.Education
EDUCATION = CodeList(
    "文化程度",
    tuple(E.values),
    {
        **_each("文盲 半文盲 文盲半文盲 文盲/半文盲", E.ILLITERATE),
        **_each("小学文化 小学毕业", E.PRIMARY),
        **_each("初中文化 初中毕业 初级中学", E.JUNIOR),
        # 中专 and 职高 are schooling of the 高中 stage: the national 文化程度 list has no other place for them.
        **_each("高中文化 高中毕业 中专 职高 中职 技校 高中/中专", E.SENIOR),
        **_each("大专 本科 大学 大学本科 研究生 硕士 博士 大专以上 本科及以上", E.COLLEGE),
        **_each("学龄前 学前儿童 学龄前儿童(不含在校生)", E.PRESCHOOL),
    },
)

S = choices.SchoolStatus
SCHOOL_STATUS = CodeList(
    "在校生状况",
    tuple(S.values),
    {
        **_each("非在校 不在校 非在校学生 否 无 非学生", S.NONE),
        **_each("学前 幼儿园 学前班 在校学前", S.PRESCHOOL),
        **_each("小学生 在校小学 小学在读 小学在校", S.PRIMARY),
        **_each("初中生 在校初中 初中在读 初中在校", S.JUNIOR),
        **_each("高中生 在校高中 高中在读 普通高中", S.SENIOR),
        **_each("中专 职高 技校 中职在读 中等职业教育", S.VOCATIONAL),
        **_each("高职在读 高等职业教育", S.HIGHER_VOCATIONAL),
        **_each("大专在读 专科", S.COLLEGE),
        **_each("本科 本科在读 研究生 在读研究生", S.UNIVERSITY),
    },
    {"大学": (S.COLLEGE, S.UNIVERSITY), "在校生": tuple(v for v in S.values if v != S.NONE)},
)

A = choices.Attribute
ATTRIBUTE = CodeList(
    "贫困户属性",
    tuple(A.values),
    {
        **_each("一般户 一般贫困 一般", A.GENERAL),
        **_each("低保户 低保 低保贫困", A.DIBAO),
        # 五保 was the name of 特困供养 before the 2014 社会救助暂行办法.
        **_each("五保贫困户 五保户 五保 特困户 特困 特困供养户 特困供养", A.TEKUN),
    },
)

STANDARD = CodeList(
    "识别标准",
    tuple(choices.Standard.values),
    {
        **_each("国家 国标 国家线", choices.Standard.NATIONAL),
        **_each("省定 省标 省级标准 省标准", choices.Standard.PROVINCIAL),
        **_each("市定 市标 市级标准 州定标准 市(州)定标准", choices.Standard.CITY),
    },
)

C = choices.Cause
CAUSE = CodeList(
    "致贫原因",
    tuple(C.values),
    {
        **_each("因病致贫 疾病 病", C.ILLNESS),
        **_each("因残致贫 残疾", C.DISABILITY),
        **_each("因学致贫 上学", C.SCHOOLING),
        **_each("因灾致贫 灾害 自然灾害", C.DISASTER),
        **_each("缺少土地 土地少 缺地", C.LAND),
        **_each("缺少水 缺水源", C.WATER),
        **_each("缺少技术 无技术", C.SKILLS),
        **_each("缺劳动力 缺少劳动力 缺少劳力 无劳力", C.LABOUR),
        **_each("缺少资金 无资金", C.CAPITAL),
        **_each("交通落后 交通条件差 交通不便", C.TRANSPORT),
        **_each("发展动力不足 动力不足 自身动力不足 自我发展能力不足", C.MOTIVATION),
        **_each("其它", C.OTHER),
    },
)

G = choices.Gender
GENDER = CodeList("性别", tuple(G.values), {**_each("男性 M", G.MALE), **_each("女性 F", G.FEMALE)})

ETHNICITY = CodeList(
    "民族",
    tuple(choices.ETHNIC_GROUPS),
    # 汉, 彝, 布依: the name without 族, as a clerk often types it.
    {
        **{name.removesuffix("族"): name for name in choices.ETHNIC_GROUPS if name.endswith("族")},
        "其它": "其他",
    },
)

DISABILITY_GRADE = CodeList(
    "残疾等级",
    tuple(choices.DisabilityGrade.values),
    {
        f"{spelling}": grade
        for grade, digits in zip(choices.DisabilityGrade.values, "1234", strict=True)
        for spelling in (digits, f"{digits}级", grade[0], f"{grade[0]}等", f"残疾{grade}")
    },
)

DANGER_GRADE = CodeList(
    "危房等级",
    tuple(choices.DangerGrade.values),
    {**_each("C c C类 C级危房", choices.DangerGrade.C), **_each("D d D类 D级危房", choices.DangerGrade.D)},
)

ROAD_TYPE = CodeList(
    "入户路类型",
    tuple(choices.RoadType.values),
    {
        **_each("土路 泥路 泥巴路", choices.RoadType.DIRT),
        **_each("沙石路 砂石 沙石", choices.RoadType.GRAVEL),
        **_each("水泥 水泥硬化路", choices.RoadType.PAVED),
        **_each("沥青 柏油路", choices.RoadType.ASPHALT),
    },
    {"硬化路": (choices.RoadType.PAVED, choices.RoadType.ASPHALT)},
)

FUEL = CodeList(
    "主要燃料类型",
    tuple(choices.Fuel.values),
    {
        **_each("柴 柴火 柴薪 薪柴 木柴 秸秆", choices.Fuel.FIREWOOD),
        **_each("煤 燃煤 煤炭类", choices.Fuel.COAL),
        **_each("液化气 天然气 煤气 液化石油气", choices.Fuel.GAS),
        **_each("电力 用电", choices.Fuel.ELECTRICITY),
        **_each("其它", choices.Fuel.OTHER),
    },
)

# Field name (on Household or Member) → its code list.
CODE_LISTS: dict[str, CodeList] = {
    "relation": RELATION,
    "work_status": WORK_STATUS,
    "health": HEALTH,
    "labour": LABOUR,
    "education": EDUCATION,
    "school_status": SCHOOL_STATUS,
    "attribute": ATTRIBUTE,
    "standard": STANDARD,
    "main_cause": CAUSE,
    "other_causes": CAUSE,
    "gender": GENDER,
    "ethnicity": ETHNICITY,
    "disability_grade": DISABILITY_GRADE,
    "dangerous_house_grade": DANGER_GRADE,
    "road_type": ROAD_TYPE,
    "fuel": FUEL,
}

# 是/否 columns: the spellings seen for yes and for no (compared in upper case).
YES = frozenset("是 有 √ ✓ ✔ Y YES TRUE 1 参加 已参加 通 已通 是的 对".split())
NO = frozenset("否 无 × ✗ ✘ N NO FALSE 0 未参加 不参加 没有 不通 未通 不是".split())


def yes_no(text: str) -> bool:
    key = spelling_key(text).upper()
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueError(f"“{text}”应为“是”或“否”(也可写 有/无、√/×、Y/N、1/0)")


def national_value(field_name: str, text: str) -> str:
    """`text` as the national value of the code list of `field_name`; ValueError in Chinese otherwise."""
    return CODE_LISTS[field_name].read(text)
