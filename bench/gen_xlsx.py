#!/usr/bin/python3
"""Write a cases sheet of N rows as Excel would (shared strings for text, serial dates
with a date style), with Python's zipfile, for bench/xlsx_rss.sh. Each row's two ids are
shared strings of their own (so the shared-string table grows with the sheet), or numbers with
--numeric-ids (so nothing the reader keeps grows with the sheet).
usage: gen_xlsx.py [--numeric-ids] N OUT.xlsx"""
import sys
import zipfile

numeric = sys.argv[1] == "--numeric-ids"
if numeric:
    del sys.argv[1]
n, out = int(sys.argv[1]), sys.argv[2]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = '<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" Target="%s"/>'
labels = ["High", "Medium", "Low", "Police", "Children's social care", "Health services"]
heads = ["case_id", "child_id", "opened_on", "closed_on", "risk_level", "referral_source"]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + REL % ("rId1", "officeDocument", "xl/workbook.xml") + "</Relationships>")
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook %s %s><sheets><sheet name="cases" sheetId="1" r:id="rId1"/></sheets></workbook>' % (NS, R))
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + REL % ("rId1", "worksheet", "worksheets/sheet1.xml") + REL % ("rId2", "sharedStrings", "sharedStrings.xml") + REL % ("rId3", "styles", "styles.xml") + "</Relationships>")
    z.writestr("xl/styles.xml", '<?xml version="1.0"?><styleSheet %s><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>' % NS)
    strings = heads + labels
    with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        f.write(('<?xml version="1.0"?><worksheet %s><sheetData><row r="1">' % NS).encode())
        f.write("".join('<c r="%s1" t="s"><v>%d</v></c>' % ("ABCDEF"[i], i) for i in range(6)).encode())
        f.write(b"</row>")
        buf = []
        for i in range(n):
            r = i + 2
            if numeric:
                k, t = 1000000 + i, ""
            else:
                strings.append("K%07d" % i)
                strings.append("C%07d" % (i // 2))
                k, t = len(strings) - 2, ' t="s"'
            fmt = ('<row r="%d"><c r="A%d"' + t + '><v>%d</v></c><c r="B%d"' + t + '><v>%d</v></c>'
                   '<c r="C%d" s="1"><v>%d</v></c><c r="D%d" s="1"><v>%d</v></c>'
                   '<c r="E%d" t="s"><v>%d</v></c><c r="F%d" t="s"><v>%d</v></c></row>')
            buf.append(fmt % (r, r, k, r, k + 1, r, 42000 + i % 3000, r, 42100 + i % 3000,
                              r, 6 + i % 3, r, 9 + i % 3))
            if len(buf) == 10000:
                f.write("".join(buf).encode())
                buf = []
        f.write(("".join(buf) + "</sheetData></worksheet>").encode())
    z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst %s>' % NS + "".join("<si><t>%s</t></si>" % s.replace("'", "&apos;") for s in strings) + "</sst>")
