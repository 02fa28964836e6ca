/*
 * arena.h — the per-compilation allocator.
 *
 * Every object of one compilation (AST nodes, decoded strings, symbol
 * tables) lives in one arena and is freed all at once with arena_free; no
 * node is ever freed on its own.  Allocation failure is reported by a NULL
 * return, never by aborting; callers record "out of memory" and unwind.
 */
#ifndef SWLC_ARENA_H
#define SWLC_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* Creates an empty arena.  Returns NULL when memory is exhausted. */
arena *arena_new(void);

/* Frees every block of `a` (NULL is allowed). */
void arena_free(arena *a);

/* Returns `size` zeroed bytes aligned for any object, owned by `a`, or NULL
 * when memory is exhausted (or the failure injected by arena_fail_after). */
void *arena_alloc(arena *a, size_t size);

/* Copies s[0..len) into the arena and adds a NUL; NULL on failure. */
char *arena_strndup(arena *a, const char *s, size_t len);

/* Testing hook: the allocation after the next `n` successful ones fails
 * (and all later ones too).  n < 0 turns failure injection off. */
void arena_fail_after(arena *a, long n);

#endif
