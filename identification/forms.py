"""Forms of the identification screens: they clean input into typed values for the services, which
make every decision (role, area, state, quota). Messages in Chinese."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms

from households.choices import Cause
from households.models import Household, IncomeRecord
from identification import rules
from identification.choices import PROGRAM_LABELS, Origin, RedoScope, State
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
            applications = applications.filter(**{f"for_{data['program']}": True})
        if data.get("q"):
            applications = applications.filter(household__number__startswith=data["q"].strip())
        return applications


def _condition_field(code: str) -> forms.TypedChoiceField:
    """One of 第三步's 13 conditions: 是 or 否 must be chosen — nothing is pre-selected."""
    return forms.TypedChoiceField(
        label=f"{code} {rules.SURVEY_QUESTIONS[code]}",
        choices=[("yes", "是"), ("no", "否")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择“是”或“否”。"},
    )


class ConditionsMixin:
    """The five direct-entry conditions and eight exclusions as 13 required yes/no questions."""

    def add_conditions(self) -> None:
        for code in rules.SURVEY_QUESTIONS:
            self.fields[code] = _condition_field(code)

    def condition_fields(self, codes) -> list[forms.BoundField]:
        return [self[code] for code in codes]

    def answers(self) -> dict[str, bool]:
        return {code: self.cleaned_data[code] for code in rules.SURVEY_QUESTIONS}


SCAN_TYPES = {".jpg", ".jpeg", ".png", ".pdf"}


class ApplicationForm(ConditionsMixin, forms.Form):
    """申报: 户主申请 (date + scan of the signed form) or 村民小组提名 (reason), and the household's own
    declaration of the 13 conditions of 第三步."""

    household = forms.ModelChoiceField(label="户(户编号 户主)", queryset=Household.objects.none())
    programs = forms.ChoiceField(label="申请项目", choices=PROGRAM_CHOICES, widget=forms.RadioSelect)
    origin = forms.ChoiceField(label="申报方式", choices=Origin.choices, widget=forms.RadioSelect)
    applied_on = forms.DateField(label="申请日期", required=False, widget=DATE)
    application_scan = forms.FileField(
        label="签名申请书扫描件或照片",
        required=False,
        help_text="户主申请时必须上传(JPG、PNG 图片或 PDF,不超过 10 MB)。",
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )
    nomination_reason = forms.CharField(
        label="提名理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="村民小组提名时必填。",
    )

    def __init__(self, *args, households, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        # The 申报 names a household as people know it: its 户编号 and its head.
        self.fields["household"].label_from_instance = lambda h: (
            f"{h.number} {getattr(h, 'head_name', None) or '(未登记户主)'}"
        )
        self.add_conditions()

    def clean_application_scan(self):
        scan = self.cleaned_data.get("application_scan")
        if scan:
            suffix = "." + scan.name.rsplit(".", 1)[-1].lower() if "." in scan.name else ""
            if suffix not in SCAN_TYPES:
                raise forms.ValidationError("申请书只能上传 JPG、PNG 图片或 PDF 文件。")
            if scan.size > 10 * 1024 * 1024:
                raise forms.ValidationError("申请书文件超过 10 MB,请压缩后再上传。")
        return scan

    def clean_applied_on(self) -> datetime.date | None:
        return not_after_today(self.cleaned_data.get("applied_on"), "申请日期")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("origin") == Origin.APPLIED:
            if not data.get("applied_on") and "applied_on" not in self.errors:
                self.add_error("applied_on", "户主申请须填写申请日期。")
            if not data.get("application_scan") and "application_scan" not in self.errors:
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


class SurveyForm(ConditionsMixin, forms.Form):
    """入户调查: ≥ 2 surveyors, income by source for last year, the 5 + 8 conditions answered (evidence for
    every 是), and the 致贫原因 found."""

    surveyed_on = forms.DateField(label="调查日期", widget=DATE)
    surveyors = forms.CharField(label="调查人员", max_length=200, help_text="至少两人,用顿号或逗号分隔。")
    persons = forms.IntegerField(label="家庭人口数", min_value=1, max_value=MAX_HOUSEHOLD_PERSONS)
    family_situation = forms.CharField(
        label="家庭基本情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    assets = forms.CharField(
        label="家庭资产", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    burden = forms.CharField(
        label="家庭负担", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    main_cause = forms.ChoiceField(
        label="主要致贫原因",
        choices=[("", "请选择"), *Cause.choices],
        error_messages={"required": "请选择主要致贫原因。"},
    )
    other_causes = forms.MultipleChoiceField(
        label="其他致贫原因", required=False, choices=Cause.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in INCOME_FIELDS:
            label = IncomeRecord._meta.get_field(name).verbose_name
            self.fields[name] = forms.DecimalField(
                label=f"{label}(元)", min_value=0, max_digits=10, decimal_places=2, required=False
            )
        self.add_conditions()
        for code in rules.SURVEY_QUESTIONS:
            self.fields[f"evidence_{code}"] = forms.CharField(
                label="佐证情况",
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"placeholder": "回答“是”时必填:看到了什么"}),
            )

    def clean_surveyed_on(self) -> datetime.date:
        return not_after_today(self.cleaned_data["surveyed_on"], "调查日期")

    def clean_surveyors(self) -> list[str]:
        names = _split_names(self.cleaned_data["surveyors"])
        if len(set(names)) < 2:
            raise forms.ValidationError("入户调查须由至少两名调查人员进行,请填写两人以上的姓名。")
        return names

    def clean(self) -> dict:
        data = super().clean()
        for code in rules.SURVEY_QUESTIONS:
            if data.get(code) is True and not (data.get(f"evidence_{code}") or "").strip():
                self.add_error(f"evidence_{code}", "回答“是”须写明佐证情况。")
        return data

    def condition_rows(self, codes) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[code], self[f"evidence_{code}"]) for code in codes]

    def income_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in INCOME_FIELDS]

    def income(self) -> dict[str, Decimal]:
        return {name: self.cleaned_data.get(name) or Decimal(0) for name in INCOME_FIELDS}

    def evidence(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"evidence_{code}", "") for code in rules.SURVEY_QUESTIONS}


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


class ReferralDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="确认结果",
        choices=[("yes", "确认为扶贫对象"), ("no", "不予确认")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="意见", required=False, max_length=1000)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("accept") is False and not (data.get("note") or "").strip():
            self.add_error("note", "不予确认须填写理由。")
        return data


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
    redo_scope = forms.ChoiceField(
        label="不实时推倒重来的范围",
        choices=RedoScope.choices,
        initial=RedoScope.GROUP,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, township: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not township:
            del self.fields["redo_scope"]


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "year",
            "name",
            "kind",
            "control_number",
            "poverty_line",
            "dibao_line",
            "notice_days",
            "township_sample_rate",
            "county_sample_rate",
        ]
        help_texts = {
            "kind": "贫困识别:从零建立名册,只有本批次的申请占用指标;动态调整:已在册的扶贫对象也占用所在区划的指标。",
        }
        error_messages = {"control_number": {"min_value": "县控制指标须为正整数。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = Round.Kind.FRESH
        self.fields["control_number"].widget.attrs["min"] = "1"

    def clean_control_number(self) -> int | None:
        value = self.cleaned_data["control_number"]
        if value is not None and value <= 0:
            raise forms.ValidationError("县控制指标须为正整数。")
        return value


class ControlNumberForm(forms.Form):
    """The 县控制指标 of a round, changed on the county's quota page."""

    control_number = forms.IntegerField(
        label="县控制指标(人)",
        min_value=1,
        error_messages={"required": "请填写县控制指标。", "min_value": "县控制指标须为正整数。"},
    )
    reason = forms.CharField(label="调整理由", required=False, max_length=200)


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

    def __init__(self, *args, township=None, township_quota: int | None = None, **kwargs):
        """For a township run the total is the township's quota as the county gave it: shown, not typed."""
        super().__init__(*args, **kwargs)
        if township is not None:
            field = self.fields["control_number"]
            field.label = f"{township.name}乡镇指标(人)"
            field.disabled = True
            field.required = False
            field.initial = self.initial["control_number"] = township_quota
            field.help_text = "县下达本乡镇的规模控制指标,乡镇分解以此为总数,不能修改。"
            self.fields["overrides"].label = "乡镇指定数"
            self.fields[
                "overrides"
            ].help_text = "每行一个“区划代码 人数”。指定的行政村或村民小组取此数,其同级按指标分配余下的人数。"

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
