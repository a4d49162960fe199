#!/usr/bin/python3
"""Write a folder of the seven CSV files (bench/gen.py's export) as one workbook, the way
Excel saves one: a sheet per file named after its table, the header in row 1, text as
shared strings (Excel's own way: ids and labels alike), dates as serial numbers with a
date style, date-times as serial numbers with a fraction and a date-time style, empty
cells left out. `actionplan import` reads it with no profile, as the input workbook.
Excel's sheets end at row 1,048,576, so an export over about 760,000 children (its
cases file then passes that) cannot be one workbook. Standard library only.
usage: gen_workbook.py CSV_DIR OUT.xlsx"""
import csv
import datetime
import os
import sys
import zipfile

TABLES = ["children", "cases", "missing_episodes", "perpetrators", "perpetrator_actions",
          "action_plan", "action_updates"]
DATES = {"birth_date", "opened_on", "closed_on", "identified_on", "concluded_on", "action_on",
         "due_on", "updated_on"}
DATETIMES = {"missing_from", "returned_at", "interview_offered_at", "interview_completed_at"}
EPOCH = datetime.date(1899, 12, 30).toordinal()  # serial 0 in the 1900 system (after 1900-03-01)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = ('<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
       'relationships/%s" Target="%s"/>')
MAX_ROW = 1048576


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def serial_date(s):
    return str(datetime.date.fromisoformat(s).toordinal() - EPOCH)


def serial_datetime(s):
    d, _, t = s.partition(" ")
    days = datetime.date.fromisoformat(d).toordinal() - EPOCH
    if not t:
        return str(days)
    h, m, sec = (int(x) for x in t.split(":"))
    return repr(days + (h * 3600 + m * 60 + sec) / 86400)


def main():
    src, out = sys.argv[1], sys.argv[2]
    strings, index = [], {}

    def sst(s):
        i = index.get(s)
        if i is None:
            i = index[s] = len(strings)
            strings.append(s)
        return i

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        sheets = []
        for n, table in enumerate(TABLES, 1):
            path = os.path.join(src, table + ".csv")
            if not os.path.exists(path):
                continue
            sheets.append(table)
            with open(path, newline="", encoding="utf-8") as f, \
                    z.open("xl/worksheets/sheet%d.xml" % len(sheets), "w", force_zip64=True) as w:
                rows = csv.reader(f)
                head = next(rows)
                kinds = [2 if h in DATETIMES else 1 if h in DATES else 0 for h in head]
                cols = [col_name(i) for i in range(len(head))]
                w.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         '<worksheet %s><sheetData>' % NS).encode())
                buf = ['<row r="1">' + "".join('<c r="%s1" t="s"><v>%d</v></c>' % (cols[i], sst(h))
                                               for i, h in enumerate(head)) + "</row>"]
                for r, row in enumerate(rows, 2):
                    if r > MAX_ROW:
                        sys.exit("gen_workbook.py: %s has more rows than a sheet can hold" % path)
                    cells = []
                    for i, v in enumerate(row):
                        if v == "":
                            continue
                        k = kinds[i]
                        if k == 0:
                            cells.append('<c r="%s%d" t="s"><v>%d</v></c>' % (cols[i], r, sst(v)))
                        elif k == 1 or " " not in v:  # a bare date, typed as one
                            cells.append('<c r="%s%d" s="1"><v>%s</v></c>' % (cols[i], r, serial_date(v)))
                        else:
                            cells.append('<c r="%s%d" s="2"><v>%s</v></c>' % (cols[i], r, serial_datetime(v)))
                    buf.append('<row r="%d">%s</row>' % (r, "".join(cells)))
                    if len(buf) >= 5000:
                        w.write("".join(buf).encode())
                        buf = []
                w.write(("".join(buf) + "</sheetData></worksheet>").encode())
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   + "".join('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % i
                             for i in range(1, len(sheets) + 1))
                   + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                   '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="%s">' % PKG
                   + REL % ("rId1", "officeDocument", "xl/workbook.xml") + "</Relationships>")
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook %s %s><sheets>' % (NS, R)
                   + "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (t, i, i)
                             for i, t in enumerate(sheets, 1)) + "</sheets></workbook>")
        n = len(sheets)
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="%s">' % PKG
                   + "".join(REL % ("rId%d" % i, "worksheet", "worksheets/sheet%d.xml" % i)
                             for i in range(1, n + 1))
                   + REL % ("rId%d" % (n + 1), "sharedStrings", "sharedStrings.xml")
                   + REL % ("rId%d" % (n + 2), "styles", "styles.xml") + "</Relationships>")
        z.writestr("xl/styles.xml", '<?xml version="1.0"?><styleSheet %s><cellXfs count="3">'
                   '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
                   '<xf numFmtId="22" applyNumberFormat="1"/></cellXfs></styleSheet>' % NS)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as w:
            w.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst %s count="%d" '
                     'uniqueCount="%d">' % (NS, len(strings), len(strings))).encode())
            for i in range(0, len(strings), 10000):
                w.write("".join("<si><t>%s</t></si>" % esc(s) for s in strings[i:i + 10000]).encode())
            w.write(b"</sst>")


main()
