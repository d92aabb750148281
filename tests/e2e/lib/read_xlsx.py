"""Read a workbook with openpyxl (an independent reader) and print every sheet as JSON: each cell as
[type, value], the type being openpyxl's data type ("n" number, "s" string, "d" date) so a test can check that
numbers are stored as numbers."""
import datetime
import json
import sys

import openpyxl


def cell(c):
    v = c.value
    if isinstance(v, (datetime.datetime, datetime.date)):
        v = v.isoformat()
    return [c.data_type, v]


book = openpyxl.load_workbook(sys.argv[1])
out = {
    "sheets": book.sheetnames,
    "frozen": {ws.title: ws.freeze_panes for ws in book.worksheets},
    "rows": {ws.title: [[cell(c) for c in row] for row in ws.iter_rows()] for ws in book.worksheets},
    "formats": {ws.title: [c.number_format for c in next(ws.iter_rows(min_row=2, max_row=2), [])] for ws in book.worksheets},
}
json.dump(out, sys.stdout)
