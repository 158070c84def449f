"""Excel import of registry records (SPEC §16): a template, all-or-nothing, an error report.

An importer (``enterprises/imports.py``, ``projects/imports.py``) declares its columns: the
header label, whether the column is required and a parser that turns a cell into the value
its service expects. ``Importer.run`` then

1. checks the file (type, size, magic bytes, what it unpacks to) and reads the first sheet
   with openpyxl in read-only mode (defusedxml guards the XML);
2. parses every cell of every row and applies the cross-column and cross-row rules
   (duplicates inside the file and against the database), looking reference data up with
   one query per kind, never one per row;
3. creates the records through the app's own services inside one transaction, collecting
   what the services refuse, mapped to the column of the refused field.

If anything is wrong, nothing is written and every problem is returned with its Excel row
number, its column header and the reason, in the user's language.

A district's own spreadsheet (补录导入, the onboarding app) takes another way in:
``sources.read_grids`` reads every sheet of an .xlsx (merged cells filled; ``xlsxread``,
openpyxl as the fallback) or a .csv (UTF-8 or GB 18030), ``sources.guess_header_row`` /
``header_names`` / ``data_rows`` find the header under its title rows and the records under
it, ``mapping`` suggests which of its columns is which of ours, the unit of its amounts and
which of our choices and records its values mean (saved per district: ``ImportMapping``),
and ``mapping.build_rows`` makes the importer's rows. ``importer.run_all`` then runs the
importers of every sheet in one transaction and lists what they created in the batch.
"""

from zhaoshang.core.imports.importer import (  # noqa: F401
    Importer,
    ImportResult,
    Problem,
    Row,
    run_all,
)
from zhaoshang.core.imports.parsers import (  # noqa: F401
    _DATE_FORMATS,
    _SEPARATORS,
    DEFAULT_UNIT,
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_SOURCE_ROWS,
    MAX_UNPACKED_BYTES,
    UNITS,
    XLSX_CONTENT_TYPE,
    Choice,
    Column,
    Date,
    Email,
    FileRefused,
    Lookup,
    Money,
    Month,
    Number,
    Parser,
    Ref,
    RefList,
    Text,
    WholeNumber,
    YesNo,
    _as_text,
    _in_every_language,
    _message,
    cell_text,
    normalize_key,
    unit_label,
)
from zhaoshang.core.imports.workbook import (  # noqa: F401
    _clean_cell,
    open_workbook,
    report_rows,
    template_workbook,
)
