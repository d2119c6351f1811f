"""Forms of the identification screens: they clean input into typed values for the services, which
make every decision (role, area, state, quota). Messages in Chinese."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms

from households.models import Household, IncomeRecord
from identification import rules
from identification.choices import PROGRAM_LABELS, Origin, State
from identification.models import Application, Round
from identification.services import INCOME_FIELDS, today

# Upper bounds of the typed counts, so that a slip of the finger (or a hostile post) is a message on the
# field rather than an integer overflow in PostgreSQL (a 500): people at one meeting, persons in one
# household, persons of a county's quota or indicators (师宗县: 400,297 rural persons), a sample seed.
MAX_ATTENDANCE = 100_000
MAX_HOUSEHOLD_PERSONS = 99
MAX_PERSONS = 10_000_000
MAX_SEED = 2**63 - 1


def not_after_today(value: datetime.date | None, what: str) -> datetime.date | None:
    """A date that records something already done (an application, a meeting, a visit) cannot lie
    in the future: a typo such as 2102 for 2012 is refused on the field rather than stored."""
    now = today()
    if value is not None and value > now:
        raise forms.ValidationError(f"{what}不能晚于今天({now.year}年{now.month}月{now.day}日)。")
    return value


PROGRAM_CHOICES = [("fupin", "扶贫"), ("dibao", "低保"), ("both", "扶贫和低保(交叉)")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationFilterForm(forms.Form):
    """The filters of every application list: all optional, all in the URL."""

    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *State.choices])
    area = forms.CharField(label="区划代码", required=False, max_length=15)
    program = forms.ChoiceField(
        label="申请项目", required=False, choices=[("", "全部项目"), *PROGRAM_LABELS.items()]
    )
    q = forms.CharField(label="户编号", required=False, max_length=20)

    def filter(self, applications):
        data = self.cleaned_data
        if data.get("state"):
            applications = applications.filter(state=data["state"])
        if data.get("area"):
            applications = applications.filter(household__group__code__startswith=data["area"].rstrip("0"))
        if data.get("program"):
            applications = applications.filter(**{f"wants_{data['program']}": True})
        if data.get("q"):
            applications = applications.filter(household__number__startswith=data["q"].strip())
        return applications


class ApplicationForm(forms.Form):
    """申报: 户主申请 (date + scan of the signed form) or 村民小组提名 (reason)."""

    household = forms.ModelChoiceField(label="户", queryset=Household.objects.none())
    programs = forms.ChoiceField(label="申请项目", choices=PROGRAM_CHOICES, widget=forms.RadioSelect)
    origin = forms.ChoiceField(label="申报方式", choices=Origin.choices, widget=forms.RadioSelect)
    applied_on = forms.DateField(label="申请日期", required=False, widget=DATE)
    application_scan = forms.FileField(
        label="签名申请书扫描件或照片", required=False, help_text="户主申请时必须上传(图片或 PDF)。"
    )
    nomination_reason = forms.CharField(
        label="提名理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="村民小组提名时必填。",
    )

    def __init__(self, *args, households, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["household"].label_from_instance = lambda h: f"{h.number} {h.address}"

    def clean_applied_on(self) -> datetime.date | None:
        return not_after_today(self.cleaned_data.get("applied_on"), "申请日期")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("origin") == Origin.APPLIED:
            if not data.get("applied_on"):
                self.add_error("applied_on", "户主申请须填写申请日期。")
            if not data.get("application_scan"):
                self.add_error("application_scan", "户主申请须上传签名申请书的扫描件或照片。")
        elif data.get("origin") == Origin.NOMINATED and not (data.get("nomination_reason") or "").strip():
            self.add_error("nomination_reason", "村民小组提名须填写提名理由。")
        programs = data.get("programs")
        data["wants_fupin"] = programs in ("fupin", "both")
        data["wants_dibao"] = programs in ("dibao", "both")
        return data


class MeetingForm(forms.Form):
    """A 评议 meeting with one pair of vote fields per application on the agenda."""

    held_on = forms.DateField(label="会议日期", widget=DATE)
    attendance = forms.IntegerField(label="到会户数/人数", min_value=1, max_value=MAX_ATTENDANCE)
    attendees = forms.CharField(label="参会人员", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, applications: list[Application], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.applications = applications
        for a in applications:
            self.fields[f"for_{a.pk}"] = forms.IntegerField(
                label="赞成", min_value=0, max_value=MAX_ATTENDANCE, required=False
            )
            self.fields[f"against_{a.pk}"] = forms.IntegerField(
                label="反对", min_value=0, max_value=MAX_ATTENDANCE, required=False
            )

    def clean_held_on(self) -> datetime.date:
        return not_after_today(self.cleaned_data["held_on"], "会议日期")

    def rows(self) -> list[tuple[Application, forms.BoundField, forms.BoundField]]:
        return [(a, self[f"for_{a.pk}"], self[f"against_{a.pk}"]) for a in self.applications]

    def clean(self) -> dict:
        data = super().clean()
        votes = []
        for a in self.applications:
            votes_for, against = data.get(f"for_{a.pk}"), data.get(f"against_{a.pk}")
            if votes_for is None and against is None:
                continue  # not on this meeting's agenda
            votes.append((a, votes_for or 0, against or 0))
        if not votes:
            raise forms.ValidationError("请至少为一户填写赞成票和反对票。")
        data["votes"] = votes
        return data


def _split_names(value: str) -> list[str]:
    return [n for n in re.split(r"[,,、;;\s]+", value or "") if n]


class SurveyForm(forms.Form):
    """入户调查: ≥ 2 surveyors, income by source for last year, the 5 + 8 conditions."""

    surveyed_on = forms.DateField(label="调查日期", widget=DATE)
    surveyors = forms.CharField(label="调查人员", help_text="至少两人,用顿号或逗号分隔。")
    persons = forms.IntegerField(label="家庭人口数", min_value=1, max_value=MAX_HOUSEHOLD_PERSONS)
    family_situation = forms.CharField(label="家庭基本情况", widget=forms.Textarea(attrs={"rows": 2}))
    assets = forms.CharField(label="家庭资产", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    burden = forms.CharField(label="家庭负担", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in INCOME_FIELDS:
            label = IncomeRecord._meta.get_field(name).verbose_name
            self.fields[name] = forms.DecimalField(
                label=f"{label}(元)", min_value=0, max_digits=10, decimal_places=2, required=False
            )
        for code, question in rules.SURVEY_QUESTIONS.items():
            self.fields[code] = forms.TypedChoiceField(
                label=f"{code} {question}",
                choices=[("no", "否"), ("yes", "是")],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
                initial="no",
            )

    def clean_surveyed_on(self) -> datetime.date:
        return not_after_today(self.cleaned_data["surveyed_on"], "调查日期")

    def clean_surveyors(self) -> list[str]:
        names = _split_names(self.cleaned_data["surveyors"])
        if len(set(names)) < 2:
            raise forms.ValidationError("入户调查须由至少两名调查人员进行,请填写两人以上的姓名。")
        return names

    def income_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in INCOME_FIELDS]

    def condition_fields(self, codes) -> list[forms.BoundField]:
        return [self[code] for code in codes]

    def income(self) -> dict[str, Decimal]:
        return {name: self.cleaned_data.get(name) or Decimal(0) for name in INCOME_FIELDS}

    def answers(self) -> dict[str, bool]:
        return {code: self.cleaned_data[code] for code in rules.SURVEY_QUESTIONS}


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label="认定结果",
        choices=[("yes", "认定"), ("no", "不予认定")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="不予认定理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SpotCheckDrawForm(forms.Form):
    rate = forms.DecimalField(label="抽查比例(%)", min_value=1, max_value=100, decimal_places=1)
    seed = forms.IntegerField(
        label="随机种子",
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text="留空则随机生成;填入原种子可复核抽样结果。",
    )

    def clean_rate(self) -> Decimal:
        return self.cleaned_data["rate"] / 100


class SpotCheckResultForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    truthful = forms.TypedChoiceField(
        label="核查结论",
        choices=[("yes", "属实"), ("no", "不实")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="核查情况", required=False, max_length=500)


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", required=False, max_length=120, help_text="留空则自动生成。")
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)
    ends_on = forms.DateField(label="公示结束日期", widget=DATE)
    issuing_body = forms.CharField(label="公示单位", max_length=60)
    complaint_phone = forms.CharField(label="监督电话", max_length=20)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", "结束日期须晚于开始日期。")
        return data


class ObjectionForm(forms.Form):
    household_number = forms.CharField(label="被异议户的户编号", max_length=20)
    complainant = forms.CharField(label="异议人", required=False, max_length=40, help_text="可匿名。")
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))
    received_at = forms.DateTimeField(
        label="收到时间", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ObjectionHandleForm(forms.Form):
    RESULTS = [("dismiss", "不成立"), ("reevaluate", "成立:退回重新评议"), ("reject", "成立:不予认定")]
    result = forms.ChoiceField(label="核实结论", choices=RESULTS, widget=forms.RadioSelect)
    note = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 2}))


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "year",
            "name",
            "poverty_line",
            "dibao_line",
            "notice_days",
            "township_sample_rate",
            "county_sample_rate",
        ]


class QuotaForm(forms.Form):
    area = forms.CharField(widget=forms.HiddenInput, max_length=15)
    persons = forms.IntegerField(label="规模控制人数", min_value=0, max_value=MAX_PERSONS)
    reason = forms.CharField(label="调整理由", required=False, max_length=200)


class QuotaImportForm(forms.Form):
    file = forms.FileField(
        label="规模控制表(.xlsx)",
        error_messages={"required": "请选择要导入的 Excel .xlsx 文件。", "empty": "上传的文件是空的。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只能导入 Excel .xlsx 文件(不支持 .xls、.csv 等其他格式)。")
        if file.size > self.MAX_BYTES:
            raise forms.ValidationError("文件超过 5 MB,规模控制表不应这么大,请检查。")
        return file


def default_notice_dates(round: Round, today: datetime.date) -> dict[str, datetime.date]:
    return {"starts_on": today, "ends_on": today + datetime.timedelta(days=round.notice_days)}


# --- 规模分解 (identification.decomposition) -----------------------------------------------------------

WEIGHT_LABELS = {
    "weight_rural": "乡村人口数权重(%)",
    "weight_low_income": "低收入家庭人口数权重(%)",
    "weight_dibao": "享受低保人数权重(%)",
    "weight_disabled": "已办证残疾人数权重(%)",
}
OVERRIDE_LINE = re.compile(r"^\s*(\d+)\s*[\s,,::=]\s*([-\d,]+)\s*$")


def _weight(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        error_messages={"required": "请填写权重(不用的指标填 0)。"},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
    )


def override_code(code: str) -> str:
    """A township may be written as its 9-digit prefix (530323101 for 530323101000)."""
    return code + "000" if len(code) == 9 else code


def overrides_text(overrides: dict[str, int]) -> str:
    return "\n".join(f"{code} {persons}" for code, persons in sorted(overrides.items()))


class DecompositionForm(forms.Form):
    """A new run: the county's control number, the weights of the four indicators, fixed figures."""

    control_number = forms.IntegerField(
        label="县控制指标(人)",
        min_value=1,
        max_value=MAX_PERSONS,
        help_text="上级下达的贫困人口控制数,如师宗县 2012 年为 112800 人。",
        error_messages={"required": "请填写县控制指标。", "min_value": "县控制指标须为正整数。"},
    )
    weight_rural = _weight(WEIGHT_LABELS["weight_rural"])
    weight_low_income = _weight(WEIGHT_LABELS["weight_low_income"])
    weight_dibao = _weight(WEIGHT_LABELS["weight_dibao"])
    weight_disabled = _weight(WEIGHT_LABELS["weight_disabled"])
    overrides = forms.CharField(
        label="县指定数",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "530323101 22207"}),
        help_text="每行一个“区划代码 人数”(乡镇可写 9 位代码)。指定的乡镇、行政村或村民小组取此数,"
        "其同级按指标分配余下的人数。",
    )
    note = forms.CharField(label="说明", required=False, max_length=200)

    def clean_overrides(self) -> dict[str, int]:
        result: dict[str, int] = {}
        lines: dict[str, int] = {}
        errors = []
        for number, line in enumerate(self.cleaned_data["overrides"].splitlines(), start=1):
            if not line.strip():
                continue
            match = OVERRIDE_LINE.match(line)
            if match is None:
                errors.append(f"第 {number} 行“{line.strip()}”:应写作“区划代码 人数”。")
                continue
            code, persons = match.group(1), match.group(2).replace(",", "").replace(",", "")
            if len(code) not in (9, 12, 15):
                errors.append(f"第 {number} 行:区划代码须为 9 位(乡镇)、12 位或 15 位数字。")
            elif not persons.isdigit():
                errors.append(f"第 {number} 行:人数须为非负整数。")
            elif override_code(code) in result:
                errors.append(f"第 {number} 行:区划 {code} 与第 {lines[override_code(code)]} 行重复。")
            else:
                result[override_code(code)] = int(persons)
                lines[override_code(code)] = number
        if errors:
            raise forms.ValidationError(errors)
        return result

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in WEIGHT_LABELS]
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise forms.ValidationError(f"四项指标的权重之和须为 100%,现为 {sum(weights).normalize():f}%。")
        return data

    def weights(self) -> dict[str, Decimal]:
        from identification.models import Decomposition

        return {name: self.cleaned_data[field] for name, field in Decomposition.WEIGHT_FIELDS.items()}


class TownshipIndicatorsForm(forms.Form):
    """The four indicators of every township, typed; a blank cell is counted from the registry."""

    def __init__(self, *args, townships, **kwargs):
        from villages.indicators import INDICATORS, LABELS

        super().__init__(*args, **kwargs)
        self.townships = list(townships)
        self.indicators = INDICATORS
        for township in self.townships:
            for name in INDICATORS:
                self.fields[f"{township.code}-{name}"] = forms.IntegerField(
                    label=f"{township.name}{LABELS[name]}",
                    required=False,
                    min_value=0,
                    max_value=MAX_PERSONS,
                    initial=getattr(township, name),
                    error_messages={"min_value": "不能为负数。", "invalid": "须为整数。"},
                    widget=forms.NumberInput(attrs={"min": "0", "class": "num"}),
                )

    def rows(self):
        """(township, [bound fields]) for the table."""
        return [(t, [self[f"{t.code}-{name}"] for name in self.indicators]) for t in self.townships]

    def values(self) -> dict[int, dict[str, int | None]]:
        return {
            t.pk: {name: self.cleaned_data.get(f"{t.code}-{name}") for name in self.indicators}
            for t in self.townships
        }


class IndicatorImportForm(QuotaImportForm):
    file = forms.FileField(
        label="分解基础指标表(.xlsx)",
        error_messages={"required": "请选择要导入的 Excel .xlsx 文件。", "empty": "上传的文件是空的。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class OverrideEditForm(forms.Form):
    """The figures of one level of a run's result, to fix some of them and re-run; blank = not fixed."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = [row.code for row in rows]
        for row in rows:
            self.fields[f"o-{row.code}"] = forms.IntegerField(
                label=f"{row.name}指定数",
                required=False,
                min_value=0,
                max_value=MAX_PERSONS,
                initial=row.override,
                error_messages={"min_value": "不能为负数。", "invalid": "须为整数。"},
                widget=forms.NumberInput(attrs={"min": "0", "class": "num"}),
            )
        self.fields["note"] = forms.CharField(label="说明", required=False, max_length=200)

    def field_for(self, code: str):
        return self[f"o-{code}"]

    def merged(self, overrides: dict[str, int]) -> dict[str, int]:
        """The run's overrides with this level's replaced by what was typed."""
        result = {code: n for code, n in overrides.items() if code not in self.codes}
        for code in self.codes:
            value = self.cleaned_data.get(f"o-{code}")
            if value is not None:
                result[code] = value
        return result
