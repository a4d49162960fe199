#!/usr/bin/python3
"""Reads tagged PDFs back with pikepdf (and poppler) and checks them against
what PDF/UA-1 asks of our reports. Run with Debian's /usr/bin/python3
(python3-pikepdf).

  pdf_tags.py FILE.pdf...            check each file; exit 1 on any failure
  pdf_tags.py --self-test FILE.pdf   damage a good file in several ways and
                                     require the check to fail on each
  pdf_tags.py --suite ACTIONPLAN RENDER_FIXTURE SOURCE_DIR WORK_DIR
                                     make the sample and fixture reports (and
                                     the fake model's), check them all, then
                                     run the self-test on one

What is checked, for each file:
  - pdftotext and pdffonts print nothing on standard error (a broken
    ToUnicode map makes poppler warn);
  - every text-showing operator (Tj, TJ, ', ") and every painting operator
    sits inside marked content that is either tagged (BDC with /MCID) or an
    /Artifact; every code shown has a Unicode value in its font's ToUnicode map;
  - every page has /StructParents and /Tabs /S, and the catalog's parent tree
    maps each MCID on the page to the structure element whose /K holds it; each
    MCID in the content belongs to exactly one element, and each element's
    MCID exists in the content;
  - every TH has /Scope (Column or Row) in its attributes, every Figure a
    non-empty /Alt; headings start at one H1 and never skip a level;
  - the catalog has /Lang en-GB, /MarkInfo /Marked true, /ViewerPreferences
    /DisplayDocTitle true, and XMP metadata (uncompressed, /Type /Metadata
    /Subtype /XML) with pdfuaid:part 1 and dc:title equal to the Info /Title;
  - reading order: on each page the text of the marked content taken in the
    structure tree's order, joined with nothing in between (so the text must
    carry its own word breaks), is word for word the page's text as pdftotext
    -raw gives it, once the artifacts' words are taken out.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import struct
import xml.etree.ElementTree as ET
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name

TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI", "INLINE IMAGE"}
HEADING = re.compile(r"^/H([1-6])$")


class Problems:
    def __init__(self, name):
        self.name = name
        self.list = []

    def add(self, what):
        if len(self.list) < 40:
            self.list.append(what)


def parse_tounicode(data):
    """bfchar and bfrange entries of a ToUnicode CMap: code -> text."""
    m = {}
    text = data.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            m[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
            lo, hi = int(lo, 16), int(hi, 16)
            if dst.startswith("["):
                for i, d in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    m[lo + i] = bytes.fromhex(d).decode("utf-16-be")
            else:
                base = bytearray(bytes.fromhex(dst[1:-1]))
                for code in range(lo, hi + 1):
                    m[code] = base.decode("utf-16-be")
                    base[-1] += 1  # the last byte steps (it stays within 0..255)
    return m


def words(s):
    return re.findall(r"\S+", s)


def run(args):
    return subprocess.run(args, capture_output=True, text=True)


class Checker:
    def __init__(self, path):
        self.path = path
        self.p = Problems(path)

    def check(self):
        p = self.p
        for tool in (["pdftotext", self.path, "/dev/null"], ["pdffonts", self.path]):
            r = run(tool)
            if r.returncode != 0 or r.stderr.strip():
                p.add("%s: exit %d, stderr %r" % (tool[0], r.returncode, r.stderr[:300]))
        try:
            pdf = pikepdf.open(self.path)
        except pikepdf.PdfError as e:
            p.add("pikepdf cannot open it: %s" % e)
            return p.list
        with pdf:
            self.pdf = pdf
            self.catalog(pdf)
            self.tree(pdf)
            self.content(pdf)
            self.compare(pdf)
        return p.list

    # ---- catalog and metadata ----
    def catalog(self, pdf):
        p, root = self.p, pdf.Root
        if str(root.get("/Lang", "")) != "en-GB":
            p.add("catalog /Lang is %r, not en-GB" % str(root.get("/Lang", "")))
        mi = root.get("/MarkInfo")
        if not isinstance(mi, Dictionary) or mi.get("/Marked") is not True:
            p.add("catalog /MarkInfo /Marked is not true")
        vp = root.get("/ViewerPreferences")
        if not isinstance(vp, Dictionary) or vp.get("/DisplayDocTitle") is not True:
            p.add("catalog /ViewerPreferences /DisplayDocTitle is not true")
        md = root.get("/Metadata")
        if not isinstance(md, pikepdf.Stream):
            p.add("no XMP metadata stream")
            return
        if md.get("/Type") != Name.Metadata or md.get("/Subtype") != Name.XML:
            p.add("metadata stream is not /Type /Metadata /Subtype /XML")
        if "/Filter" in md:
            p.add("metadata stream is compressed")
        try:
            x = ET.fromstring(md.read_raw_bytes())
        except ET.ParseError as e:
            p.add("XMP is not well-formed XML: %s" % e)
            return
        ns = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
              "dc": "http://purl.org/dc/elements/1.1/",
              "pdfuaid": "http://www.aiim.org/pdfua/ns/id/"}
        part = x.find(".//pdfuaid:part", ns)
        if part is None or (part.text or "").strip() != "1":
            p.add("XMP has no pdfuaid:part 1")
        title = x.find(".//dc:title/rdf:Alt/rdf:li", ns)
        info_title = str(pdf.docinfo.get("/Title", "")) if pdf.docinfo is not None else ""
        if title is None or not (title.text or "").strip():
            p.add("XMP has no dc:title")
        elif title.text != info_title:
            p.add("XMP dc:title %r differs from Info /Title %r" % (title.text, info_title))

    # ---- structure tree ----
    def tree(self, pdf):
        p = self.p
        self.order = []  # (page objgen, mcid) in tree order
        self.owner = {}  # (page objgen, mcid) -> element objgen
        self.kinds = []  # structure types in tree order
        str_root = pdf.Root.get("/StructTreeRoot")
        if not isinstance(str_root, Dictionary):
            p.add("no /StructTreeRoot")
            self.ptree = {}
            return

        def visit(e, depth):
            if depth > 50:
                p.add("structure tree deeper than 50")
                return
            s = str(e.get("/S", ""))
            self.kinds.append(s)
            if s == "/TH":
                a = e.get("/A")
                attrs = list(a) if isinstance(a, Array) else [a] if a is not None else []
                scopes = [str(d.get("/Scope")) for d in attrs
                          if isinstance(d, Dictionary) and "/Scope" in d]
                if not scopes or scopes[0] not in ("/Column", "/Row", "/Both"):
                    p.add("a TH has no /Scope (element %s)" % (e.objgen,))
            if s == "/Figure" and not str(e.get("/Alt", "")).strip():
                p.add("a Figure has no /Alt (element %s)" % (e.objgen,))
            k = e.get("/K")
            kids = list(k) if isinstance(k, Array) else [] if k is None else [k]
            for kid in kids:
                if isinstance(kid, int):
                    pg = e.get("/Pg")
                    if pg is None:
                        p.add("MCID %d in element %s without /Pg" % (kid, e.objgen))
                        continue
                    self.mcr(pg.objgen, kid, e)
                elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                    pg = kid.get("/Pg", e.get("/Pg"))
                    self.mcr(pg.objgen, int(kid.MCID), e)
                elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                    pass
                elif isinstance(kid, Dictionary):
                    if kid.get("/P") is None or kid.P.objgen != e.objgen:
                        p.add("element %s does not name its parent in /P" % (kid.objgen,))
                    visit(kid, depth + 1)

        k = str_root.get("/K")
        for kid in (list(k) if isinstance(k, Array) else [k] if k is not None else []):
            visit(kid, 0)
        if self.kinds[:1] != ["/Document"]:
            p.add("the tree does not start with a Document element: %s" % self.kinds[:1])
        heads = [int(HEADING.match(s).group(1)) for s in self.kinds if HEADING.match(s)]
        if not heads or heads[0] != 1 or heads.count(1) != 1:
            p.add("headings do not start with one H1: %s" % heads[:10])
        for a, b in zip(heads, heads[1:]):
            if b > a + 1:
                p.add("heading level skipped: H%d then H%d" % (a, b))
                break
        # The parent tree: page StructParents -> array of elements by MCID.
        self.ptree = {}

        def leaves(node):
            if "/Nums" in node:
                nums = list(node.Nums)
                for i in range(0, len(nums), 2):
                    self.ptree[int(nums[i])] = nums[i + 1]
            for kid in node.get("/Kids", []):
                leaves(kid)

        pt = str_root.get("/ParentTree")
        if not isinstance(pt, Dictionary):
            p.add("no /ParentTree")
        else:
            leaves(pt)

    def mcr(self, pg, mcid, e):
        key = (pg, mcid)
        if key in self.owner:
            self.p.add("MCID %d on page %s belongs to two elements" % (mcid, pg))
        self.owner[key] = e.objgen
        self.order.append(key)

    # ---- page content ----
    def content(self, pdf):
        p = self.p
        self.mcid_text = {}  # (page objgen, mcid) -> text
        self.artifact_text = {}  # page objgen -> text
        self.page_mcids = {}
        for n, page in enumerate(pdf.pages, 1):
            po = page.obj
            pg = po.objgen
            if not isinstance(po.get("/StructParents"), int):
                p.add("page %d has no /StructParents" % n)
            if po.get("/Tabs") != Name.S:
                p.add("page %d has no /Tabs /S" % n)
            fonts = {}
            res = page.get("/Resources", Dictionary())
            for name, f in res.get("/Font", Dictionary()).items():
                tu = f.get("/ToUnicode")
                fonts[name] = parse_tounicode(tu.read_bytes()) if tu is not None else None
            stack, font, seen = [], None, []
            art = []
            for ins in pikepdf.parse_content_stream(page):
                if isinstance(ins, pikepdf.ContentStreamInlineImage):
                    op, operands = "INLINE IMAGE", []
                else:
                    op, operands = str(ins.operator), ins.operands
                if op == "BDC":
                    props = operands[1]
                    if isinstance(props, Name):
                        props = res.get("/Properties", Dictionary()).get(str(props))
                    mcid = props.get("/MCID") if isinstance(props, Dictionary) else None
                    kind = "artifact" if operands[0] == Name.Artifact else (
                        ("mcid", int(mcid)) if mcid is not None else "other")
                    stack.append(kind)
                    if isinstance(kind, tuple):
                        seen.append(kind[1])
                        self.mcid_text.setdefault((pg, kind[1]), [])
                elif op == "BMC":
                    stack.append("artifact" if operands[0] == Name.Artifact else "other")
                elif op == "EMC":
                    if not stack:
                        p.add("page %d: EMC without BDC/BMC" % n)
                    else:
                        stack.pop()
                elif op == "Tf":
                    font = str(operands[0])
                elif op in TEXT_OPS or op in PAINT_OPS:
                    where = next((k for k in reversed(stack) if k != "other"), None)
                    if where is None:
                        p.add("page %d: %s outside tagged content and artifacts" % (n, op))
                        continue
                    if op not in TEXT_OPS:
                        continue
                    text = self.decode(op, operands, fonts.get(font), n)
                    if where == "artifact":
                        art.append(text)
                    else:
                        self.mcid_text[(pg, where[1])].append(text)
            if stack:
                p.add("page %d: marked content left open at the end" % n)
            self.artifact_text[pg] = " ".join(art)
            self.page_mcids[pg] = seen
            # Parent tree and tree agree on every MCID of the page.
            sp = po.get("/StructParents")
            arr = self.ptree.get(int(sp)) if isinstance(sp, int) else None
            if isinstance(sp, int) and arr is None:
                p.add("page %d: no parent-tree entry for StructParents %d" % (n, sp))
            for mcid in seen:
                owner = self.owner.get((pg, mcid))
                if owner is None:
                    p.add("page %d: MCID %d is in no structure element" % (n, mcid))
                elif arr is None or mcid >= len(arr) or arr[mcid].objgen != owner:
                    p.add("page %d: parent tree does not map MCID %d to its element" % (n, mcid))
            if len(set(seen)) != len(seen):
                p.add("page %d: an MCID is used twice" % n)
        have = set(self.mcid_text)
        for key in self.owner:
            if key not in have:
                p.add("the tree refers to MCID %d on page %s, which the page lacks" % (key[1], key[0]))

    def decode(self, op, operands, cmap, n):
        if cmap is None:
            self.p.add("page %d: text in a font without a ToUnicode map" % n)
            return ""
        parts = []
        items = operands[-1:] if op in ("Tj", "'", '"') else list(operands[0])
        for it in items:
            if isinstance(it, pikepdf.String):
                b = bytes(it)
                for i in range(0, len(b) - 1, 2):
                    code = b[i] << 8 | b[i + 1]
                    if code not in cmap:
                        self.p.add("page %d: code %04X has no Unicode value" % (n, code))
                        parts.append("\ufffd")
                    else:
                        parts.append(cmap[code])
        return "".join(parts)

    # ---- reading order ----
    def compare(self, pdf):
        p = self.p
        # One run of pdftotext for the file: pages end in form feeds.
        pages = run(["pdftotext", "-raw", "-enc", "UTF-8", self.path, "-"]).stdout.split("\f")
        for n, page in enumerate(pdf.pages, 1):
            pg = page.obj.objgen
            # Joined with nothing in between, as a reader of the tags does: the
            # text itself must carry the spaces between words.
            tree = "".join("".join(self.mcid_text.get(k, [])) for k in self.order if k[0] == pg)
            page_words = words(pages[n - 1]) if n <= len(pages) else []
            want, arts = words(tree), words(self.artifact_text.get(pg, ""))
            # The tree's words must appear in the page's text in the same order;
            # what is left must be exactly the artifacts' words.
            # A word broken over two lines after a hyphen ("roll-|out") is one
            # word in the tags and two on the page. Words run together in the
            # tags ("Plan:progress") are not forgiven.
            left, i, pending = [], 0, []
            for w in page_words:
                if i < len(want):
                    joined = "".join(pending) + w
                    if joined == want[i]:
                        i, pending = i + 1, []
                        continue
                    if w.endswith("-") and want[i].startswith(joined):
                        pending.append(w)
                        continue
                    left += pending
                    pending = []
                    if w == want[i]:
                        i += 1
                        continue
                left.append(w)
            left += pending
            if i < len(want):
                ctx = " ".join(want[max(0, i - 5):i + 5])
                p.add("page %d: reading order differs from the page at word %d of %d "
                      "(%r); near: %s" % (n, i + 1, len(want), want[i], ctx))
            elif sorted(left) != sorted(arts):
                extra = sorted(set(left) - set(arts))[:8]
                p.add("page %d: text outside the tree that is not an artifact: %s" % (n, extra))


def check_files(paths):
    bad = 0
    for path in paths:
        problems = Checker(path).check()
        if problems:
            bad += 1
            print("FAIL %s:" % path)
            for what in problems:
                print("  " + what)
        else:
            print("ok %s" % path)
    return bad


# ---- the self-test: damaged copies must fail, each for its reason ----
def damage(good, work):
    cases = []

    def variant(name, why, fn):
        out = os.path.join(work, name + ".pdf")
        with pikepdf.open(good) as pdf:
            fn(pdf)
            pdf.save(out)
        cases.append((out, why))

    def untag_first_page(pdf):
        page = pdf.pages[0]
        keep = [i for i in pikepdf.parse_content_stream(page)
                if isinstance(i, pikepdf.ContentStreamInlineImage)
                or str(i.operator) not in ("BDC", "BMC", "EMC")]
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(keep))

    def elements(pdf, s):
        found = []

        def walk(e):
            if isinstance(e, Dictionary) and "/S" in e:
                if e.S == Name(s):
                    found.append(e)
            k = e.get("/K") if isinstance(e, Dictionary) else None
            for kid in (list(k) if isinstance(k, Array) else [k] if k is not None else []):
                if isinstance(kid, Dictionary) and kid.get("/Type") not in (Name.MCR, Name.OBJR):
                    walk(kid)

        walk(pdf.Root.StructTreeRoot)
        return found

    def drop_scope(pdf):
        del elements(pdf, "/TH")[0]["/A"]

    def drop_alt(pdf):
        del elements(pdf, "/Figure")[0]["/Alt"]

    def swap_paragraphs(pdf):
        doc = elements(pdf, "/Document")[0]
        k = list(doc.K)
        i = next(i for i in range(len(k) - 1)
                 if k[i].get("/S") == Name.P and k[i + 1].get("/S") == Name.P)
        k[i], k[i + 1] = k[i + 1], k[i]
        doc.K = Array(k)

    def old_tounicode(pdf):
        f = list(pdf.pages[0].Resources.Font.items())[0][1]
        f.ToUnicode.write(b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                          b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
                          b"1 begincidrange <0000> <FFFF> 0 endcidrange\n"
                          b"endcmap CMapName currentdict /CMap defineresource pop end end\n")

    def no_lang(pdf):
        del pdf.Root["/Lang"]

    def skip_heading(pdf):
        elements(pdf, "/H2")[0].S = Name.H3

    def wrong_parent(pdf):
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        arr = nums[1]
        items = list(arr)
        items[0], items[-1] = items[-1], items[0]
        nums[1] = pdf.make_indirect(Array(items))

    variant("untagged", "outside tagged content", untag_first_page)
    variant("parenttree", "parent tree does not map", wrong_parent)
    variant("noscope", "has no /Scope", drop_scope)
    variant("noalt", "has no /Alt", drop_alt)
    variant("swapped", "reading order differs", swap_paragraphs)
    variant("cidmap", "pdftotext", old_tounicode)
    variant("nolang", "/Lang", no_lang)
    variant("skipped", "heading level skipped", skip_heading)
    return cases


def self_test(good):
    work = tempfile.mkdtemp(prefix="pdf_tags.")
    failures = 0
    try:
        if Checker(good).check():
            print("FAIL self-test: the good file %s does not pass" % good)
            return 1
        for path, why in damage(good, work):
            problems = Checker(path).check()
            if not any(why in what for what in problems):
                failures += 1
                print("FAIL self-test: %s passed or failed for another reason: %s"
                      % (os.path.basename(path), problems[:3]))
            else:
                print("ok self-test: %s fails (%s)" % (os.path.basename(path), why))
    finally:
        shutil.rmtree(work)
    return failures


def suite(ap, fixture, src, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1491004800")
    pdfs = []

    def sh(*args):
        r = subprocess.run(args, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            print("FAIL: %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr))
            sys.exit(1)

    for name, data, cfg in (("sample", "sample-data", "sample-data/actionplan.ini"),
                            ("fixture", "tests/fixtures/report/data",
                             "tests/fixtures/report/actionplan.ini")):
        db = os.path.join(work, name + ".db")
        cfg = os.path.join(src, cfg)
        sh(ap, "init", "--config", cfg, "--db", db)
        sh(ap, "import", "--config", cfg, "--db", db, os.path.join(src, data))
        for tmpl in ("cabinet", "board"):
            out = os.path.join(work, "%s-%s.pdf" % (name, tmpl))
            sh(ap, "report", "--config", cfg, "--db", db, "--quarter", "2016/17-Q4",
               "--template", tmpl, "--pdf", out)
            pdfs.append(out)
    # A logo (an image, drawn as an artifact): a 2 x 2 grey PNG.
    logo = os.path.join(work, "logo.png")

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    with open(logo, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"\x00\x80\x80\x00\x80\x80"))
                + chunk(b"IEND", b""))
    for opts in ([], ["--long-cell"], ["--percent-chart", "--no-sample"], ["--empty"],
                 ["--long-words"], ["--logo", logo]):
        out = os.path.join(work, "fake%s.pdf" % "".join(
            o for o in opts if o.startswith("--")).replace("--", "-"))
        sh(fixture, *opts, out)
        pdfs.append(out)
    bad = check_files(pdfs)
    bad += self_test(pdfs[0])
    print("%d files checked, %s" % (len(pdfs), "all passed" if not bad else "%d failed" % bad))
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "--self-test":
        return 1 if self_test(argv[2]) else 0
    if len(argv) == 6 and argv[1] == "--suite":
        return suite(*argv[2:])
    if len(argv) < 2:
        print(__doc__)
        return 1
    return 1 if check_files(argv[1:]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
