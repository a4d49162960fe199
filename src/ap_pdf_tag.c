/*
 * ap_pdf_tag: structure tree, marked content, metadata and ToUnicode maps for
 * libharu documents (see ap_pdf_tag.h).
 *
 * libharu keeps each object as an HPDF_Dict or HPDF_Array that it writes when
 * the document is saved; an object added to the cross-reference table
 * (HPDF_Xref_Add) is written once and referenced wherever it is added. The
 * structure elements are such indirect dictionaries; each keeps its kids in a
 * /K array of marked-content ids (on its own /Pg) or marked-content
 * references (on other pages) and child elements. Each page's array in the
 * parent tree lists, at index MCID, the element that owns that sequence.
 *
 * A page's content stream is libharu's HPDF_PageAttr stream; the operators
 * written here go in between libharu's own, always outside a text object
 * (BT/ET) and a path, so the nesting stays valid.
 */
#include "ap_pdf_tag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap_util.h"

struct ap_pdf_elem {
    HPDF_Dict dict;
    HPDF_Array kids;
    HPDF_Page pg; /* page of its first marked content, NULL before */
    const char *type;
    HPDF_Dict attrs; /* /A, made on demand */
};

struct font_use {
    HPDF_Font font;
    uint8_t used[65536 / 8]; /* BMP code points shown */
};

enum mc_state { MC_NONE, MC_ARTIFACT, MC_TAGGED };

struct ap_pdf_tag {
    HPDF_Doc doc;
    HPDF_STATUS err;
    struct ap_pdf_elem root, *document;
    struct ap_pdf_elem **elems;
    size_t nelems, aelems;
    HPDF_Array *ptree; /* per page: elements by MCID */
    size_t npages, apages;
    HPDF_Page page;
    size_t pageno;
    enum mc_state mc;
    struct ap_pdf_elem *mc_elem;
    struct font_use *fonts;
    size_t nfonts, afonts;
};

/* Record the first failure; libharu sets its own error record as well. */
static bool ok(struct ap_pdf_tag *t, HPDF_STATUS st)
{
    if (st != HPDF_OK && !t->err)
        t->err = st;
    return st == HPDF_OK;
}

static bool made(struct ap_pdf_tag *t, const void *obj)
{
    if (!obj && !t->err) {
        HPDF_STATUS e = HPDF_GetError(t->doc);
        t->err = e ? e : HPDF_FAILD_TO_ALLOC_MEM;
    }
    return obj != NULL;
}

/* An indirect dictionary: written once, referenced from every container. */
static HPDF_Dict indirect_dict(struct ap_pdf_tag *t)
{
    HPDF_Dict d = HPDF_Dict_New(t->doc->mmgr);
    if (!made(t, d))
        return NULL;
    if (!ok(t, HPDF_Xref_Add(t->doc->xref, d)))
        return NULL; /* Xref_Add frees d on failure */
    return d;
}

static size_t utf8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + len > n)
        len = n - i;
    uint32_t v = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < len; k++)
        v = (v << 6) | (s[i + k] & 0x3F);
    *cp = v;
    return i + len;
}

/* A PDF text string: literal for ASCII, else UTF-16BE with a byte-order mark. */
static void *text_string(struct ap_pdf_tag *t, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t n = strlen(utf8);
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80 || s[i] < 0x20)
            ascii = false;
    if (ascii) {
        HPDF_String str = HPDF_String_New(t->doc->mmgr, utf8, NULL);
        return made(t, str) ? str : NULL;
    }
    struct ap_buf b = AP_BUF_INIT;
    ap_buf_add(&b, "\xFE\xFF", 2);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i = utf8_decode(s, n, i, &cp);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            uint32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
            char u[4] = {(char)(hi >> 8), (char)hi, (char)(lo >> 8), (char)lo};
            ap_buf_add(&b, u, 4);
        } else {
            char u[2] = {(char)(cp >> 8), (char)cp};
            ap_buf_add(&b, u, 2);
        }
    }
    HPDF_Binary bin = HPDF_Binary_New(t->doc->mmgr, (HPDF_BYTE *)b.buf, (HPDF_UINT)b.len);
    ap_buf_release(&b);
    return made(t, bin) ? bin : NULL;
}

static void elem_init(struct ap_pdf_tag *t, struct ap_pdf_elem *e, struct ap_pdf_elem *parent,
                      const char *type)
{
    e->type = type;
    if (!(e->dict = indirect_dict(t)))
        return;
    e->kids = HPDF_Array_New(t->doc->mmgr);
    if (!made(t, e->kids) || !ok(t, HPDF_Dict_Add(e->dict, "K", e->kids))) {
        e->kids = NULL;
        return;
    }
    if (!parent) {
        ok(t, HPDF_Dict_AddName(e->dict, "Type", "StructTreeRoot"));
        return;
    }
    ok(t, HPDF_Dict_AddName(e->dict, "S", type)); /* /Type /StructElem is optional: left out */
    if (parent->dict && parent->kids) {
        ok(t, HPDF_Dict_Add(e->dict, "P", parent->dict));
        ok(t, HPDF_Array_Add(parent->kids, e->dict));
    }
}

struct ap_pdf_tag *ap_pdf_tag_new(HPDF_Doc doc)
{
    struct ap_pdf_tag *t = ap_xcalloc(1, sizeof *t);
    t->doc = doc;
    elem_init(t, &t->root, NULL, NULL);
    t->document = ap_pdf_tag_elem(t, NULL, "Document");
    return t;
}

void ap_pdf_tag_free(struct ap_pdf_tag *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nelems; i++)
        free(t->elems[i]);
    free(t->elems);
    free(t->ptree);
    free(t->fonts);
    free(t);
}

struct ap_pdf_elem *ap_pdf_tag_elem(struct ap_pdf_tag *t, struct ap_pdf_elem *parent,
                                    const char *type)
{
    struct ap_pdf_elem *e = ap_xcalloc(1, sizeof *e);
    ap_grow((void **)&t->elems, sizeof *t->elems, t->nelems + 1, &t->aelems);
    t->elems[t->nelems++] = e;
    elem_init(t, e, parent ? parent : t->document ? t->document : &t->root, type);
    return e;
}

void ap_pdf_tag_alt(struct ap_pdf_tag *t, struct ap_pdf_elem *e, const char *utf8)
{
    void *s = e->dict ? text_string(t, utf8) : NULL;
    if (s)
        ok(t, HPDF_Dict_Add(e->dict, "Alt", s));
}

void ap_pdf_tag_scope(struct ap_pdf_tag *t, struct ap_pdf_elem *e, const char *scope)
{
    if (!e->dict)
        return;
    HPDF_Dict a = HPDF_Dict_New(t->doc->mmgr);
    if (!made(t, a) || !ok(t, HPDF_Dict_Add(e->dict, "A", a)))
        return;
    ok(t, HPDF_Dict_AddName(a, "O", "Table"));
    ok(t, HPDF_Dict_AddName(a, "Scope", scope));
}

static void raw(struct ap_pdf_tag *t, const char *s)
{
    if (t->page)
        ok(t, HPDF_Stream_WriteStr(((HPDF_PageAttr)t->page->attr)->stream, s));
}

void ap_pdf_tag_end(struct ap_pdf_tag *t)
{
    if (t->mc != MC_NONE)
        raw(t, "EMC\n");
    t->mc = MC_NONE;
    t->mc_elem = NULL;
}

void ap_pdf_tag_page(struct ap_pdf_tag *t, HPDF_Page page, size_t index)
{
    if (page == t->page)
        return;
    ap_pdf_tag_end(t);
    t->page = page;
    t->pageno = index;
    if (index < t->npages)
        return;
    /* A new page: its entry in the parent tree, and its keys. */
    ap_grow((void **)&t->ptree, sizeof *t->ptree, index + 1, &t->apages);
    while (t->npages <= index)
        t->ptree[t->npages++] = NULL;
    HPDF_Array a = HPDF_Array_New(t->doc->mmgr);
    if (made(t, a) && ok(t, HPDF_Xref_Add(t->doc->xref, a)))
        t->ptree[index] = a;
    ok(t, HPDF_Dict_AddNumber(page, "StructParents", (HPDF_INT32)index));
    ok(t, HPDF_Dict_AddName(page, "Tabs", "S"));
}

void ap_pdf_tag_mark(struct ap_pdf_tag *t, struct ap_pdf_elem *e)
{
    if (!t->page)
        return;
    if (!e) {
        if (t->mc != MC_ARTIFACT) {
            ap_pdf_tag_end(t);
            raw(t, "/Artifact BMC\n");
            t->mc = MC_ARTIFACT;
        }
        return;
    }
    if (t->mc == MC_TAGGED && t->mc_elem == e)
        return;
    ap_pdf_tag_end(t);
    HPDF_Array pt = t->ptree[t->pageno];
    if (!pt || !e->dict || !e->kids) {
        if (!t->err)
            t->err = HPDF_FAILD_TO_ALLOC_MEM;
        return;
    }
    HPDF_UINT mcid = HPDF_Array_Items(pt);
    ok(t, HPDF_Array_Add(pt, e->dict));
    if (!e->pg) {
        e->pg = t->page;
        ok(t, HPDF_Dict_Add(e->dict, "Pg", t->page));
    }
    if (e->pg == t->page) {
        ok(t, HPDF_Array_AddNumber(e->kids, (HPDF_INT32)mcid));
    } else {
        HPDF_Dict mcr = HPDF_Dict_New(t->doc->mmgr);
        if (made(t, mcr) && ok(t, HPDF_Array_Add(e->kids, mcr))) {
            ok(t, HPDF_Dict_AddName(mcr, "Type", "MCR"));
            ok(t, HPDF_Dict_Add(mcr, "Pg", t->page));
            ok(t, HPDF_Dict_AddNumber(mcr, "MCID", (HPDF_INT32)mcid));
        }
    }
    char op[64];
    snprintf(op, sizeof op, "/%s <</MCID %u>> BDC\n", e->type, (unsigned)mcid);
    raw(t, op);
    t->mc = MC_TAGGED;
    t->mc_elem = e;
}

void ap_pdf_tag_used(struct ap_pdf_tag *t, HPDF_Font f, const char *s, size_t n)
{
    struct font_use *u = NULL;
    for (size_t i = 0; i < t->nfonts && !u; i++)
        if (t->fonts[i].font == f)
            u = &t->fonts[i];
    if (!u) {
        ap_grow((void **)&t->fonts, sizeof *t->fonts, t->nfonts + 1, &t->afonts);
        u = &t->fonts[t->nfonts++];
        memset(u, 0, sizeof *u);
        u->font = f;
    }
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i = utf8_decode(p, n, i, &cp);
        if (cp < 0x10000)
            u->used[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    }
}

static bool is_used(const struct font_use *u, uint32_t cp)
{
    return cp < 0x10000 && (u->used[cp >> 3] >> (cp & 7)) & 1;
}

/* Write "n beginbf... endbf..." blocks of at most 100 entries. */
static void cmap_block(struct ap_buf *b, const char *kind, const struct ap_buf *entries, size_t n)
{
    if (n)
        ap_buf_addf(b, "%zu begin%s\n%.*sendbf%s\n", n, kind, (int)entries->len, entries->buf,
                    kind + 2);
}

/* The ToUnicode map of a font whose codes are the characters' UTF-16 code
 * units (libharu's UTF-8 encoder with Identity-H): each code drawn maps to
 * itself. Runs within one high byte become bfrange entries, the rest bfchar. */
static void make_tounicode(const struct font_use *u, struct ap_buf *b)
{
    struct ap_buf chars = AP_BUF_INIT, ranges = AP_BUF_INIT;
    size_t nchars = 0, nranges = 0;
    ap_buf_adds(b, "/CIDInit /ProcSet findresource begin\n"
                   "12 dict begin\n"
                   "begincmap\n"
                   "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                   "/CMapName /Adobe-Identity-UCS def\n"
                   "/CMapType 2 def\n"
                   "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (uint32_t cp = 0; cp < 0x10000;) {
        if (!is_used(u, cp) || (cp >= 0xD800 && cp < 0xE000)) {
            cp++;
            continue;
        }
        uint32_t end = cp;
        while (end + 1 < 0x10000 && ((end + 1) & 0xFF) != 0 && is_used(u, end + 1))
            end++;
        if (end > cp) {
            ap_buf_addf(&ranges, "<%04X> <%04X> <%04X>\n", (unsigned)cp, (unsigned)end,
                        (unsigned)cp);
            if (++nranges == 100) {
                cmap_block(b, "bfrange", &ranges, nranges);
                ap_buf_reset(&ranges);
                nranges = 0;
            }
        } else {
            ap_buf_addf(&chars, "<%04X> <%04X>\n", (unsigned)cp, (unsigned)cp);
            if (++nchars == 100) {
                cmap_block(b, "bfchar", &chars, nchars);
                ap_buf_reset(&chars);
                nchars = 0;
            }
        }
        cp = end + 1;
    }
    cmap_block(b, "bfchar", &chars, nchars);
    cmap_block(b, "bfrange", &ranges, nranges);
    ap_buf_adds(b, "endcmap\n"
                   "CMapName currentdict /CMap defineresource pop\n"
                   "end\n"
                   "end\n");
    ap_buf_release(&chars);
    ap_buf_release(&ranges);
}

/* Replace the contents of each font's /ToUnicode stream (libharu's own is a
 * CID map, not a ToUnicode map). */
static void fix_tounicode(struct ap_pdf_tag *t)
{
    struct ap_buf b = AP_BUF_INIT;
    for (size_t i = 0; i < t->nfonts && !t->err; i++) {
        HPDF_Font f = t->fonts[i].font;
        HPDF_FontAttr attr = (HPDF_FontAttr)f->attr;
        HPDF_Dict cmap = attr ? attr->cmap_stream : NULL;
        /* Only a Type0 font over a TrueType file with libharu's UTF-8
         * encoder has codes equal to the characters; anything else is left. */
        if (!cmap || !cmap->stream || attr->type != HPDF_FONT_TYPE0_TT ||
            HPDF_Dict_GetItem(f, "ToUnicode", HPDF_OCLASS_DICT) != cmap)
            continue;
        ap_buf_reset(&b);
        make_tounicode(&t->fonts[i], &b);
        HPDF_MemStream_FreeData(cmap->stream);
        ok(t, HPDF_Stream_Write(cmap->stream, (const HPDF_BYTE *)b.buf, (HPDF_UINT)b.len));
        /* A ToUnicode stream is a plain stream, not a CMap resource dictionary. */
        static const char *const drop[] = {"Type", "CMapName", "CIDSystemInfo", "WMode"};
        for (size_t k = 0; k < AP_ARRAY_LEN(drop); k++)
            HPDF_Dict_RemoveElement(cmap, drop[k]); /* absent is fine */
    }
    ap_buf_release(&b);
}

static void xml_text(struct ap_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            ap_buf_adds(b, "&lt;");
            break;
        case '>':
            ap_buf_adds(b, "&gt;");
            break;
        case '&':
            ap_buf_adds(b, "&amp;");
            break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
                ap_buf_addch(b, *s);
            else
                ap_buf_addch(b, ' ');
        }
    }
}

/* XMP metadata saying PDF/UA-1, with the document information's values. */
static void add_metadata(struct ap_pdf_tag *t, const struct ap_pdf_meta *m)
{
    struct ap_buf b = AP_BUF_INIT;
    const char *producer = HPDF_GetInfoAttr(t->doc, HPDF_INFO_PRODUCER);
    ap_buf_adds(&b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                    "<rdf:Description rdf:about=\"\" "
                    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                    "<dc:format>application/pdf</dc:format>\n"
                    "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
    xml_text(&b, m->title);
    ap_buf_adds(&b, "</rdf:li></rdf:Alt></dc:title>\n");
    if (m->author && *m->author) {
        ap_buf_adds(&b, "<dc:creator><rdf:Seq><rdf:li>");
        xml_text(&b, m->author);
        ap_buf_adds(&b, "</rdf:li></rdf:Seq></dc:creator>\n");
    }
    if (m->subject && *m->subject) {
        ap_buf_adds(&b, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">");
        xml_text(&b, m->subject);
        ap_buf_adds(&b, "</rdf:li></rdf:Alt></dc:description>\n");
    }
    ap_buf_adds(&b, "<dc:language><rdf:Bag><rdf:li>");
    xml_text(&b, m->lang);
    ap_buf_adds(&b,
                "</rdf:li></rdf:Bag></dc:language>\n"
                "</rdf:Description>\n"
                "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n");
    if (m->creator && *m->creator) {
        ap_buf_adds(&b, "<xmp:CreatorTool>");
        xml_text(&b, m->creator);
        ap_buf_adds(&b, "</xmp:CreatorTool>\n");
    }
    if (m->date && *m->date)
        ap_buf_addf(&b,
                    "<xmp:CreateDate>%s</xmp:CreateDate>\n<xmp:ModifyDate>%s</xmp:ModifyDate>\n",
                    m->date, m->date);
    ap_buf_adds(&b,
                "</rdf:Description>\n"
                "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n");
    if (producer && *producer) {
        ap_buf_adds(&b, "<pdf:Producer>");
        xml_text(&b, producer);
        ap_buf_adds(&b, "</pdf:Producer>\n");
    }
    if (m->keywords && *m->keywords) {
        ap_buf_adds(&b, "<pdf:Keywords>");
        xml_text(&b, m->keywords);
        ap_buf_adds(&b, "</pdf:Keywords>\n");
    }
    ap_buf_adds(&b, "</rdf:Description>\n"
                    "<rdf:Description rdf:about=\"\" "
                    "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n"
                    "<pdfuaid:part>1</pdfuaid:part>\n"
                    "</rdf:Description>\n"
                    "</rdf:RDF>\n"
                    "</x:xmpmeta>\n"
                    "<?xpacket end=\"w\"?>\n");
    HPDF_Dict md = HPDF_DictStream_New(t->doc->mmgr, t->doc->xref);
    if (made(t, md)) {
        md->filter = HPDF_STREAM_FILTER_NONE; /* metadata is left readable */
        ok(t, HPDF_Dict_AddName(md, "Type", "Metadata"));
        ok(t, HPDF_Dict_AddName(md, "Subtype", "XML"));
        ok(t, HPDF_Stream_Write(md->stream, (const HPDF_BYTE *)b.buf, (HPDF_UINT)b.len));
        ok(t, HPDF_Dict_Add(t->doc->catalog, "Metadata", md));
    }
    ap_buf_release(&b);
}

HPDF_STATUS ap_pdf_tag_finish(struct ap_pdf_tag *t, const struct ap_pdf_meta *m)
{
    ap_pdf_tag_end(t);
    HPDF_MMgr mm = t->doc->mmgr;
    HPDF_Dict cat = t->doc->catalog;
    t->doc->pdf_version = HPDF_VER_17; /* PDF/UA-1 is built on PDF 1.7 */

    /* The parent tree: a number tree with one leaf, page index -> array. */
    HPDF_Dict ptree = HPDF_Dict_New(mm);
    HPDF_Array nums = HPDF_Array_New(mm);
    if (made(t, ptree) && made(t, nums) &&
        ok(t, HPDF_Dict_Add(t->root.dict, "ParentTree", ptree)) &&
        ok(t, HPDF_Dict_Add(ptree, "Nums", nums))) {
        for (size_t i = 0; i < t->npages; i++) {
            if (!t->ptree[i]) {
                made(t, NULL);
                break;
            }
            ok(t, HPDF_Array_AddNumber(nums, (HPDF_INT32)i));
            ok(t, HPDF_Array_Add(nums, t->ptree[i]));
        }
    }
    if (t->root.dict) {
        ok(t, HPDF_Dict_AddNumber(t->root.dict, "ParentTreeNextKey", (HPDF_INT32)t->npages));
        ok(t, HPDF_Dict_Add(cat, "StructTreeRoot", t->root.dict));
    }

    HPDF_Dict mark = HPDF_Dict_New(mm);
    if (made(t, mark) && ok(t, HPDF_Dict_Add(cat, "MarkInfo", mark)))
        ok(t, HPDF_Dict_AddBoolean(mark, "Marked", HPDF_TRUE));
    void *lang = text_string(t, m->lang);
    if (lang)
        ok(t, HPDF_Dict_Add(cat, "Lang", lang));
    HPDF_Dict vp = HPDF_Dict_GetItem(cat, "ViewerPreferences", HPDF_OCLASS_DICT);
    if (!vp) {
        vp = HPDF_Dict_New(mm);
        if (made(t, vp) && !ok(t, HPDF_Dict_Add(cat, "ViewerPreferences", vp)))
            vp = NULL;
    }
    if (vp)
        ok(t, HPDF_Dict_AddBoolean(vp, "DisplayDocTitle", HPDF_TRUE));

    add_metadata(t, m);
    fix_tounicode(t);
    return t->err;
}
