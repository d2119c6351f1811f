"""Import of the national system's 花名册 (one row per person) into households and members.

The pipeline, in order:

1. read the first sheet with python-calamine (≈10× faster than openpyxl read-only at 400,000 rows),
   find the header row among the first rows (the export has a merged title row above it) and map
   each header — the national export's own names, their synonyms, or a model field's Chinese name —
   to a field;
2. convert every cell (full-width digits and spaces, numbers stored as text or as numbers, 是/否) and
   group the rows by 户编号; rows of one household must agree on the household's fields;
3. inside one transaction, batch by batch of whole households while the file is still being read
   (steps 1–2 run in a child process, `process`): match areas under the importing user's scope, check
   every member (households.validation), every household (one 户主, 人数), every person against the
   other households of the file and of the database, and compare with what is stored;
4. with any error nothing is written: the writes stop, the checks go on, the transaction is rolled
   back, and every error comes back at once (Excel row, column, value with ID numbers masked, reason
   in Chinese); `write_error_workbook` marks them in a copy of the file;
5. otherwise only what changed is written, batch by batch, with PostgreSQL COPY (new rows straight
   into the tables, changed rows into a temporary table and one UPDATE … FROM), and one
   django-simple-history row per created, changed or removed record, attributed to the importing user.
   A re-import of the same file writes nothing at all.

Household key = 户编号, member key = 身份证号, so importing the same file twice changes nothing.
The file is authoritative for the households it lists: a registered member missing from their
household's rows is removed (with history); a person may move between two households the file lists,
but a person registered in a household the file does not list is an error (that move goes through the
household page). validation.members_in_other_households asks one household at a time; the import asks
the same question for the whole file in two queries.

人均纯收入 is not stored: the registry derives it from the income items of an IncomeRecord, and the
roster has only the result. Where a record of the year before the 识别年度 (`year`, asked of the user)
exists the figure is checked against it, and differences are reported as notes; otherwise the figure is
skipped and that is reported too. 脱贫属性 is recognised and not stored; 人编号 is stored (generated where
blank); 贫困户属性 is stored on the household and opens the cases it means (扶贫; 低保贫困户 also 低保;
特困供养贫困户 also 特困), entered in `year`, where the household has none open.


The package follows those steps: `sheet` opens the file and maps its header (`columns`), `cells` converts
each cell (code-list spellings from households.spellings), `reading` groups the rows into batches of
households, `process` does those three in a child process, `areas` and `checking` validate against the
database and decide what changes, `writing` writes it, `pipeline` runs them in one transaction;
`workbook` marks errors in a copy of the file, `jobs` runs previews and imports as Celery tasks.
"""

from __future__ import annotations

from households.importer.areas import AreaMatcher
from households.importer.columns import (
    COLUMNS,
    NATIONAL_COLUMNS,
    NOT_FROM_FILE,
    ImportResult,
    RowError,
    clean_header,
)
from households.importer.jobs import jobs_for, run_import_job
from households.importer.pipeline import can_import, current_round_year, import_roster
from households.importer.sheet import open_sheet
from households.importer.workbook import write_error_workbook

__all__ = [
    "COLUMNS",
    "NATIONAL_COLUMNS",
    "NOT_FROM_FILE",
    "AreaMatcher",
    "ImportResult",
    "RowError",
    "can_import",
    "clean_header",
    "current_round_year",
    "import_roster",
    "jobs_for",
    "open_sheet",
    "run_import_job",
    "write_error_workbook",
]
