/*
 * templates.h — the text templates of templates/, embedded into swlc at
 * build time (embed_templates.cmake writes the table), so an installed
 * swlc needs no source tree.
 */
#ifndef SWLC_TEMPLATES_H
#define SWLC_TEMPLATES_H

typedef struct emit_template {
    const char *name;   /* file name in templates/, e.g. "tx.c.in" */
    const char *text;   /* its whole content, NUL-terminated */
} emit_template;

extern const emit_template emit_template_table[];
extern const int emit_template_count;

#endif
