"""Code lists of the 贫困户登记表 (national 建档立卡 form). Values are the Chinese terms themselves:
they are what the national roster exports and what people type, so import and export need no mapping.
"""

from django.db import models


class Standard(models.TextChoices):
    NATIONAL = "国家标准", "国家标准"
    PROVINCIAL = "省定标准", "省定标准"
    CITY = "市定标准", "市定标准"


class Attribute(models.TextChoices):
    """贫困户属性."""

    GENERAL = "一般贫困户", "一般贫困户"
    DIBAO = "低保贫困户", "低保贫困户"
    TEKUN = "特困供养贫困户", "特困供养贫困户"


class Cause(models.TextChoices):
    """致贫原因."""

    ILLNESS = "因病", "因病"
    DISABILITY = "因残", "因残"
    SCHOOLING = "因学", "因学"
    DISASTER = "因灾", "因灾"
    LAND = "缺土地", "缺土地"
    WATER = "缺水", "缺水"
    SKILLS = "缺技术", "缺技术"
    LABOUR = "缺劳力", "缺劳力"
    CAPITAL = "缺资金", "缺资金"
    TRANSPORT = "交通条件落后", "交通条件落后"
    MOTIVATION = "自身发展动力不足", "自身发展动力不足"
    OTHER = "其他", "其他"  # with Household.other_cause_note saying what


class RoadType(models.TextChoices):
    """入户路类型."""

    DIRT = "泥土路", "泥土路"
    GRAVEL = "砂石路", "砂石路"
    PAVED = "水泥路", "水泥路"
    ASPHALT = "沥青路", "沥青路"


class DangerGrade(models.TextChoices):
    """危房等级 (住建部 C/D 级)."""

    C = "C级", "C级"
    D = "D级", "D级"


class Fuel(models.TextChoices):
    """主要燃料类型."""

    FIREWOOD = "柴草", "柴草"
    COAL = "煤炭", "煤炭"
    GAS = "燃气", "燃气"
    ELECTRICITY = "电", "电"
    BIOGAS = "沼气", "沼气"
    OTHER = "其他", "其他"


class Gender(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class Relation(models.TextChoices):
    """与户主关系."""

    HEAD = "户主", "户主"
    SPOUSE = "配偶", "配偶"
    SON = "之子", "之子"
    DAUGHTER = "之女", "之女"
    DAUGHTER_IN_LAW = "之儿媳", "之儿媳"
    SON_IN_LAW = "之女婿", "之女婿"
    GRANDSON = "之孙子", "之孙子"
    GRANDDAUGHTER = "之孙女", "之孙女"
    DAUGHTERS_SON = "之外孙子", "之外孙子"
    DAUGHTERS_DAUGHTER = "之外孙女", "之外孙女"
    FATHER = "之父", "之父"
    MOTHER = "之母", "之母"
    FATHER_IN_LAW = "之岳父", "之岳父"
    MOTHER_IN_LAW = "之岳母", "之岳母"
    HUSBANDS_FATHER = "之公公", "之公公"
    HUSBANDS_MOTHER = "之婆婆", "之婆婆"
    GRANDFATHER = "之祖父", "之祖父"
    GRANDMOTHER = "之祖母", "之祖母"
    SIBLING = "之兄弟姐妹", "之兄弟姐妹"
    OTHER = "其他", "其他"


ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 "
    "黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 其他"
).split()
Ethnicity = models.TextChoices("Ethnicity", [(name, name) for name in ETHNIC_GROUPS])


class Education(models.TextChoices):
    """文化程度."""

    ILLITERATE = "文盲或半文盲", "文盲或半文盲"
    PRIMARY = "小学", "小学"
    JUNIOR = "初中", "初中"
    SENIOR = "高中", "高中"
    COLLEGE = "大专及以上", "大专及以上"
    PRESCHOOL = "学龄前儿童", "学龄前儿童"


class SchoolStatus(models.TextChoices):
    """在校生状况."""

    NONE = "非在校生", "非在校生"
    PRESCHOOL = "学前教育", "学前教育"
    PRIMARY = "小学", "小学"
    JUNIOR = "初中", "初中"
    SENIOR = "高中", "高中"
    VOCATIONAL = "中职", "中职"
    HIGHER_VOCATIONAL = "高职", "高职"
    COLLEGE = "大专", "大专"
    UNIVERSITY = "本科及以上", "本科及以上"


class Health(models.TextChoices):
    """健康状况."""

    HEALTHY = "健康", "健康"
    CHRONIC = "长期慢性病", "长期慢性病"
    SERIOUS = "患有大病", "患有大病"
    DISABLED = "残疾", "残疾"


class DisabilityGrade(models.TextChoices):
    FIRST = "一级", "一级"
    SECOND = "二级", "二级"
    THIRD = "三级", "三级"
    FOURTH = "四级", "四级"


class Labour(models.TextChoices):
    """劳动技能."""

    ORDINARY = "普通劳动力", "普通劳动力"
    SKILLED = "技能劳动力", "技能劳动力"
    LOST = "丧失劳动力", "丧失劳动力"
    NONE = "无劳动力", "无劳动力"


class WorkStatus(models.TextChoices):
    """务工状况."""

    IN_TOWNSHIP = "乡(镇)内务工", "乡(镇)内务工"
    IN_COUNTY = "乡(镇)外县内务工", "乡(镇)外县内务工"
    IN_PROVINCE = "县外省内务工", "县外省内务工"
    OUT_OF_PROVINCE = "省外务工", "省外务工"
    OTHER = "其他", "其他"


class Program(models.TextChoices):
    """The rolls a household can be on (扶贫 and 低保 together = 交叉对象)."""

    FUPIN = "fupin", "扶贫"
    DIBAO = "dibao", "低保"
    TEKUN = "tekun", "特困"


class CaseState(models.TextChoices):
    ACTIVE = "active", "在册"
    LIFTED = "lifted", "已脱贫"  # 扶贫: 脱贫退出
    EXITED = "exited", "已退出"  # 低保/特困: 退保
    RETURNED = "returned", "返贫"  # back on the 扶贫 roll after having been lifted
    # 分户/合户 (households.changes): the roll continues in the other household, named in the note.
    TRANSFERRED = "moved", "分合户转出"


class PovertyClass(models.IntegerChoices):
    """Seed 002, 四(一): the three kinds of the poor."""

    DIBAO_NO_CAPACITY = 1, "一类:缺乏开发能力的低保户"
    DIBAO_WITH_CAPACITY = 2, "二类:有开发能力的低保户"
    LOW_INCOME = 3, "三类:非低保的低收入贫困人口"


class AdditionReason(models.TextChoices):
    """新增成员 (households.changes)."""

    BIRTH = "出生", "出生"
    MARRIAGE = "婚入", "婚入"
    MOVE_IN = "迁入", "迁入"
    OTHER = "其他", "其他"


class RemovalReason(models.TextChoices):
    """减少成员 (households.changes): kept on the member, who stays on record."""

    DEATH = "死亡", "死亡"
    MARRIAGE = "婚出", "婚出"
    MOVE_OUT = "迁出", "迁出"
    ENLISTED = "入伍", "入伍"
    PRISON = "服刑", "服刑"
    OTHER = "其他", "其他"
