#!/usr/bin/env python3
"""Render the fake report (tests/support/fake_report.c) to PDF with
render_fixture and read it back with poppler-utils only: pdfinfo, pdffonts,
pdftotext and pdfimages, never the project's own code.

usage: pdf_check.py RENDER_FIXTURE WORKDIR

poppler prints "Invalid 'begincidrange'" warnings for libharu's ToUnicode maps;
the text still extracts, so stderr of the poppler tools is ignored.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

FIXTURE, WORK = sys.argv[1], sys.argv[2]
PAGE_W, PAGE_H, MARGIN = 595.276, 841.89, 56.693
MARKING = "OFFICIAL-SENSITIVE"

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what, file=sys.stderr)


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def render(out, *opts):
    return run(FIXTURE, *opts, out)


def text(pdf, first=None, last=None):
    args = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return run(*args, pdf, "-").stdout


def info(pdf):
    out = run("pdfinfo", pdf).stdout
    return dict((k.strip(), v.strip()) for k, v in
                (line.split(":", 1) for line in out.splitlines() if ":" in line))


def png(path, w, h):
    """A small RGB PNG written by hand (no imaging library needed)."""
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"".join(bytes([(x * 5) % 256, 0x43, (y * 7) % 256])
                                      for x in range(w)) for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw)))
        f.write(chunk(b"IEND", b""))


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
pdf = os.path.join(WORK, "report.pdf")

# --- it renders, and the metadata is there ---
r = render(pdf)
check(r.returncode == 0, "render_fixture exits 0 (stderr: %s)" % r.stderr)
check(r.stderr == "", "a clean render prints nothing: %r" % r.stderr)
meta = info(pdf)
check(meta.get("Title") == "Child Sexual Exploitation Action Plan: progress report",
      "pdfinfo Title: %r" % meta.get("Title"))
check(meta.get("Author") == "Sample Borough Council, Children\u2019s Services",
      "pdfinfo Author (UTF-8): %r" % meta.get("Author"))
check(meta.get("Subject") == "CSE action plan progress, 2016/17 Q4",
      "pdfinfo Subject: %r" % meta.get("Subject"))
check(meta.get("Keywords", "").startswith("child sexual exploitation"), "pdfinfo Keywords")
check(meta.get("Creator") == "actionplan", "pdfinfo Creator: %r" % meta.get("Creator"))
check(meta.get("CreationDate", "").startswith("Mon Apr 10 09:00:00 2017"),
      "CreationDate from r->created: %r" % meta.get("CreationDate"))
check(meta.get("ModDate") == meta.get("CreationDate"), "ModDate equals CreationDate")
check("595.276 x 841.89" in meta.get("Page size", ""), "A4 portrait: %r" % meta.get("Page size"))
pages = int(meta.get("Pages", "0"))
check(pages >= 2, "at least 2 pages, got %d" % pages)

# --- every font embedded ---
fonts = run("pdffonts", pdf).stdout.splitlines()[2:]
check(len(fonts) == 2, "two fonts (regular and bold): %r" % fonts)
for line in fonts:
    cols = line.split()
    # name type... encoding emb sub uni object ID: emb is the 5th field from the end
    check(len(cols) >= 6 and cols[-5] == "yes", "font embedded: %s" % line)

# --- page furniture on every page ---
per_page = [text(pdf, n) for n in range(1, pages + 1)]
for n, t in enumerate(per_page, 1):
    check(t.count(MARKING) >= 2, "page %d: marking in header and footer" % n)
    check(t.count("SAMPLE REPORT") >= 2, "page %d: sample notice in header and footer" % n)
    check(("Page %d of %d" % (n, pages)) in t, "page %d: 'Page %d of %d'" % (n, n, pages))
    lines = [l for l in t.splitlines() if l.strip()]
    check(lines and MARKING in lines[0], "page %d: marking is the first line" % n)
    check(lines and MARKING in lines[-1], "page %d: marking is on the last line" % n)

whole = text(pdf)

# --- headline figures and their changes ---
for s in ["97", "Children supported since the team began", "38", "Current cases", "59",
          "Children protected or removed from abuse", "Since last quarter: +9",
          "Since a year ago: +41", "Since last quarter: -2", "Per 10,000 children: 21.6",
          "Direction: up (better)", "Direction: up (worse)", "Direction: down",
          "Since last quarter: [c]", "Per 10,000 children: [c]"]:
    check(s in whole, "headline text %r" % s)
check(re.search(r"^\s*\[c\]", whole, re.M) or "[c]" in whole, "suppressed headline figure")

# --- UTF-8 round trip ---
for ch in ["\u201c", "\u201d", "\u2019", "\u00a3", "\u2014", "\u0175"]:
    check(ch in whole, "UTF-8 character U+%04X extracts" % ord(ch))
check("\u201cSafer Streets\u201d" in whole, "curly-quoted phrase extracts whole")
check("\u00a3412,000" in whole, "pound sign with figure")
check("D\u0175r" in whole, "Welsh w-circumflex word")

# --- tables: summary, breakdown markers and zeros, percent ---
check(re.search(r"Children supported since the team began\s+97\s+88\s+\+9\s+56", whole),
      "summary row: figures right-aligned in order")
check(re.search(r"Return interviews offered within 72 hours\s+45\.5%\s+50\.0%\s+\[z\]\s+\[c\]",
                whole), "summary percent row with markers")
check(re.search(r"West Ward\s+\[c\]\s+0\s+0\s+\[c\]", whole), "breakdown row with [c] and zeros")
check(re.search(r"Unknown\s+0\s+0\s+0\s+0", whole), "breakdown row of zeros")

# --- action plan: all rows, header repeated after each break, RAG words ---
refs = re.findall(r"^\s*A(\d\d)\s", whole, re.M)
check(sorted(set(int(x) for x in refs)) == list(range(1, 61)), "action rows A01..A60 present")
cont = [n for n, t in enumerate(per_page, 1)
        if "Table 4: Progress against the CSE action plan (continued)" in t]
check(len(cont) >= 1, "the action plan continues onto another page")
for n in cont:
    check(re.search(r"Ref\s+Theme\s+Action\s+Lead\s+Due\s+Status\s+RAG\s+Commentary",
                    per_page[n - 1]), "page %d: action plan header repeated" % n)
first = [n for n, t in enumerate(per_page, 1) if "Table 4: Progress" in t][0]
check(first not in cont, "the first page of the action plan is not marked continued")
for w in ["Red", "Amber", "Green"]:
    check(re.search(r"\b%s\b" % w, whole), "RAG word %s present" % w)

# --- chart: categories, legend, axis title, ticks ---
chart_page = [t for t in per_page if "Chart 1:" in t]
check(len(chart_page) == 1, "chart title on one page")
if chart_page:
    cp = chart_page[0]
    for q in ["2015/16 Q1", "2015/16 Q2", "2016/17 Q3", "2016/17 Q4"]:
        check(q in cp, "chart category %s" % q)
    for s in ["Children supported (cumulative)", "Current cases",
              "Perpetrators currently identified"]:
        check(s in cp, "legend entry %r" % s)
    for tick in ["100", "80", "60", "40", "20"]:
        check(re.search(r"(^|\s)%s(\s|$)" % tick, cp, re.M), "y tick %s" % tick)
    check("-20" not in cp, "no negative tick for counts")

# --- notes and definitions ---
check(whole.count("Confidential: a count from 1 to 5") == 1, "the notes table appears once")
for s in ["Notes", "Confidential: a count from 1 to 5", "Not applicable", "Not available",
          "7. Definitions", "Rate per 10,000"]:
    check(s in whole, "notes/definitions text %r" % s)

# --- nothing drawn outside the margins; body text stays out of the furniture bands ---
FURNITURE = {MARKING, "SAMPLE", "REPORT", "\u2014", "synthetic", "data,", "not", "real",
             "people", "Page", "of", "2016/17-Q4"}


def margin_faults(path):
    bbox = run("pdftotext", "-bbox", path, "-").stdout
    bad = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">([^<]*)</word>', bbox):
        x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
        word = m.group(5)
        if x0 < MARGIN - 0.5 or x1 > PAGE_W - MARGIN + 0.5:
            bad.append("outside left/right margin: %r %.1f..%.1f" % (word, x0, x1))
        elif (y0 < MARGIN - 2 or y1 > PAGE_H - MARGIN + 2) and not (word in FURNITURE or
                                                                    word.isdigit()):
            bad.append("body text in the header/footer band: %r y %.1f..%.1f" % (word, y0, y1))
    return bad


bad = margin_faults(pdf)
check(not bad, "all text within the margins: %s" % bad[:5])

# --- a bookmark for every section heading, in order, UTF-8 intact ---
xml = run("pdftohtml", "-xml", "-i", "-stdout", pdf).stdout
items = re.findall(r'<item page="(\d+)">([^<]*)</item>', xml)
titles = [t for _, t in items]
check(titles == ["1. Purpose of this report", "2. Headline figures", "3. Summary of figures",
                 "4. Trends over the last two years \u2014 quarter by quarter",
                 "5. Children supported, by area", "6. Progress against the action plan",
                 "7. Definitions", "Notes"], "bookmarks: %r" % titles)
for page, title in items:
    check(title in per_page[int(page) - 1], "bookmark %r points at its page" % title)

# --- headings are never the last thing on a page ---
for n, t in enumerate(per_page, 1):
    body = [l.strip() for l in t.splitlines()
            if l.strip() and MARKING not in l and "SAMPLE REPORT" not in l]
    if body:
        check(not re.match(r"^(\d+\. |Notes$|Table \d+:|Chart \d+:)", body[-1]),
              "page %d ends with a heading: %r" % (n, body[-1]))

# --- a row taller than a page is split across pages, nothing lost or clipped ---
longpdf = os.path.join(WORK, "long.pdf")
r = render(longpdf, "--long-cell")
check(r.returncode == 0, "render with a cell longer than a page: %s" % r.stderr)
lt = re.sub(r"\s+", " ", text(longpdf))
found = [int(x) for x in re.findall(r"Update (\d+):", lt)]
check(found == list(range(1, 61)), "all 60 sentences of the long cell, in order: %s" % found[:8])
bad = margin_faults(longpdf)
check(not bad, "long cell within the margins: %s" % bad[:5])
check(re.search(r"^\s*A30\s+the board\. Update 6:", text(longpdf), re.M),
      "the continued part of a split row names its row")
lpages = int(info(longpdf).get("Pages", "0"))
check(lpages > pages, "the long cell adds pages (%d > %d)" % (lpages, pages))
for n in range(1, lpages + 1):
    t = text(longpdf, n)
    check(("Page %d of %d" % (n, lpages)) in t and t.count(MARKING) >= 2,
          "long render page %d furniture" % n)

# --- reproducible: same r->created, same bytes; another date, other bytes ---
pdf2 = os.path.join(WORK, "again.pdf")
render(pdf2)
check(open(pdf, "rb").read() == open(pdf2, "rb").read(), "two renders are byte-identical")
pdf3 = os.path.join(WORK, "later.pdf")
render(pdf3, "--created", "1500000000")
check(open(pdf, "rb").read() != open(pdf3, "rb").read(), "another creation date changes bytes")
check(info(pdf3).get("CreationDate", "").startswith("Fri Jul 14 02:40:00 2017"),
      "CreationDate follows --created: %r" % info(pdf3).get("CreationDate"))

# --- a logo (PNG) is embedded; a file that is not an image is refused ---
logo = os.path.join(WORK, "logo.png")
png(logo, 120, 40)
pdf4 = os.path.join(WORK, "logo.pdf")
r = render(pdf4, "--logo", logo)
check(r.returncode == 0, "render with a PNG logo: %s" % r.stderr)
imgs = run("pdfimages", "-list", pdf4).stdout.splitlines()[2:]
check(len(imgs) == 1 and " 120 " in imgs[0] and " 40 " in imgs[0], "one 120x40 image: %r" % imgs)
notimg = os.path.join(WORK, "logo.txt")
with open(notimg, "w") as f:
    f.write("not an image\n")
r = render(os.path.join(WORK, "badlogo.pdf"), "--logo", notimg)
check(r.returncode == 2, "a logo that is not an image: exit 2, got %d" % r.returncode)
check("is neither a PNG nor a JPEG" in r.stderr and "logo.txt'" in r.stderr,
      "clear logo message: %r" % r.stderr)
r = render(os.path.join(WORK, "nologo.pdf"), "--logo", os.path.join(WORK, "missing.png"))
check(r.returncode == 2 and "cannot read the logo" in r.stderr and "No such file" in r.stderr,
      "missing logo: %r" % r.stderr)

# --- errors: unwritable path, bad UTF-8, missing font ---
r = render("/nonexistent-folder/report.pdf")
check(r.returncode == 3, "unwritable path: exit 3, got %d" % r.returncode)
check(r.stderr == "actionplan: /nonexistent-folder/report.pdf: error: cannot write the PDF: "
      "No such file or directory (while opening); check the folder exists "
      "and is writable\n", "clear message for an unwritable path: %r" % r.stderr)
if os.getuid() != 0:
    ro = os.path.join(WORK, "readonly")
    os.makedirs(ro)
    os.chmod(ro, 0o500)
    r = render(os.path.join(ro, "report.pdf"))
    check(r.returncode == 3 and "Permission denied" in r.stderr,
          "a folder without write permission: %r" % r.stderr)
    os.chmod(ro, 0o700)

out = os.path.join(WORK, "bad-utf8.pdf")
r = render(out, "--bad-utf8")
check(r.returncode == 2, "invalid UTF-8: exit 2, got %d" % r.returncode)
check("section 'purpose' paragraph 1 is not valid UTF-8 (byte 0xA3 at offset 7" in r.stderr,
      "invalid UTF-8 names the place and byte: %r" % r.stderr)
check(not os.path.exists(out), "no PDF written for invalid UTF-8")

out = os.path.join(WORK, "nofont.pdf")
r = render(out, "--font", "/nonexistent/Font.ttf")
check(r.returncode == 2, "missing font: exit 2, got %d" % r.returncode)
check("cannot read the font '/nonexistent/Font.ttf': No such file or directory; set font in the "
      "[report] section" in r.stderr, "missing font message: %r" % r.stderr)
check(not os.path.exists(out), "no PDF written without a font")

out = os.path.join(WORK, "notfont.pdf")
r = render(out, "--font", notimg)
check(r.returncode == 2 and "cannot use the font" in r.stderr,
      "a font file that is not TrueType: %r" % r.stderr)

out = os.path.join(WORK, "samefont.pdf")
r = render(out, "--font", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
check(r.returncode == 0 and "Page 1 of" in text(out),
      "the same file for the regular and bold font: %r" % r.stderr)

# --- a table too wide for the page keeps its words whole (smaller type) ---
out = os.path.join(WORK, "words.pdf")
r = render(out, "--long-words")
t = text(out)
check(r.returncode == 0, "render with long words: %r" % r.stderr)
for w in ["Accountability", "Responsibility", "Administration", "Implementation",
          "Transformation", "Communications", "Infrastructure"]:
    check(len(re.findall(r"\b%s\b" % w, t)) == 60, "60 whole %r in the action plan" % w)
bad = margin_faults(out)
check(not bad, "wide table within the margins: %s" % bad[:5])

# --- notes placed in a section by the template are not repeated at the end ---
out = os.path.join(WORK, "notes.pdf")
r = render(out, "--notes-section")
t = text(out)
check(r.returncode == 0, "render with a notes section: %r" % r.stderr)
check(t.count("Confidential: a count from 1 to 5") == 1, "the [c] note appears once")
check("8. Notes" in t and not re.search(r"^\s*Notes\s*$", t, re.M), "only the section's heading")
check(re.search(r"^\s*\[c\] Confidential: a count", t, re.M), "the note as a paragraph")

# --- a chart of percentages has percentage ticks ---
out = os.path.join(WORK, "percent.pdf")
r = render(out, "--percent-chart")
cp = [t for t in (text(out, n) for n in range(1, int(info(out)["Pages"]) + 1)) if "Chart 1:" in t]
check(r.returncode == 0 and len(cp) == 1, "percent chart renders: %r" % r.stderr)
if cp:
    for tick in ["0%", "20%", "40%", "60%", "80%", "100%"]:
        check(re.search(r"(^|\s)%s(\s|$)" % tick, cp[0], re.M), "percent tick %s" % tick)
    check(not re.search(r"(^|\s)0\.2(\s|$)", cp[0], re.M), "no fractional ticks")

# --- a model with nothing but its title block is still a proper document ---
out = os.path.join(WORK, "empty.pdf")
r = render(out, "--empty")
t = text(out)
check(r.returncode == 0 and info(out).get("Pages") == "1" and "Page 1 of 1" in t
      and t.count(MARKING) >= 3, "empty model: one page with furniture: %r" % r.stderr)

# --- without the sample flag there is no sample notice ---
out = os.path.join(WORK, "official.pdf")
r = render(out, "--no-sample")
t = text(out)
check(r.returncode == 0 and "SAMPLE REPORT" not in t and "OFFICIAL" in t,
      "no sample notice when the data are real")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
