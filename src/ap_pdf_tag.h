/*
 * ap_pdf_tag: a tagged PDF (PDF/UA-1) on top of libharu 2.3.0, through its
 * installed headers (hpdf_objects.h, hpdf_pages.h, hpdf_font.h): libharu draws,
 * this module adds what it lacks.
 *
 *  - the structure tree (Document, H1, P, L/LI/LBody, Table/THead/TBody/TR/
 *    TH/TD, Figure, Caption, Sect, Div), built in reading order as the
 *    renderer draws;
 *  - marked content on the pages: "/P <</MCID n>> BDC ... EMC" around tagged
 *    content and "/Artifact BMC ... EMC" around everything else, opened lazily
 *    so that one sequence holds as much as it can; the page's /StructParents
 *    and the catalog's /ParentTree map every MCID back to its element;
 *  - /MarkInfo, /Lang, /ViewerPreferences /DisplayDocTitle, XMP metadata
 *    declaring PDF/UA-1, page /Tabs /S;
 *  - a ToUnicode map per font made from the characters actually drawn
 *    (libharu 2.3.0 writes a CID map there, which poppler rejects).
 *
 * Usage: ap_pdf_tag_page() whenever the renderer starts drawing on a page (new
 * or earlier), ap_pdf_tag_mark() before each drawing operation (an element, or
 * NULL for an artifact), ap_pdf_tag_used() for each string shown, and
 * ap_pdf_tag_finish() once before saving. Errors are sticky: the first one is
 * what ap_pdf_tag_finish() returns.
 */
#ifndef AP_PDF_TAG_H
#define AP_PDF_TAG_H

#include <stdbool.h>
#include <stddef.h>

#include <hpdf.h>

struct ap_pdf_tag;
struct ap_pdf_elem;

struct ap_pdf_meta {
    const char *title, *author, *subject, *keywords, *creator;
    const char *date; /* XMP form: 2017-03-31T09:00:00Z */
    const char *lang; /* "en-GB" */
};

struct ap_pdf_tag *ap_pdf_tag_new(HPDF_Doc doc);
void ap_pdf_tag_free(struct ap_pdf_tag *t);

/* A new element of structure type type as the last child of parent (NULL:
 * the Document element). The module owns it. */
struct ap_pdf_elem *ap_pdf_tag_elem(struct ap_pdf_tag *t, struct ap_pdf_elem *parent,
                                    const char *type);
/* Alternative text (a Figure's), as UTF-8. */
void ap_pdf_tag_alt(struct ap_pdf_tag *t, struct ap_pdf_elem *e, const char *utf8);
/* A table header cell's scope: "Column" or "Row". */
void ap_pdf_tag_scope(struct ap_pdf_tag *t, struct ap_pdf_elem *e, const char *scope);

/* Drawing moves to page (index in the document, from 0; pages are announced
 * in order the first time). Closes any sequence open on the previous page. */
void ap_pdf_tag_page(struct ap_pdf_tag *t, HPDF_Page page, size_t index);
/* What the next drawing operations belong to: e, or an artifact when e is
 * NULL. Call outside text objects and between path objects. */
void ap_pdf_tag_mark(struct ap_pdf_tag *t, struct ap_pdf_elem *e);
/* Close the open marked-content sequence, if any. */
void ap_pdf_tag_end(struct ap_pdf_tag *t);
/* The UTF-8 text s[0..n) was shown in font f (for the ToUnicode maps). */
void ap_pdf_tag_used(struct ap_pdf_tag *t, HPDF_Font f, const char *s, size_t n);

/* Structure tree, parent tree, catalog entries, metadata and ToUnicode maps. */
HPDF_STATUS ap_pdf_tag_finish(struct ap_pdf_tag *t, const struct ap_pdf_meta *m);

#endif
