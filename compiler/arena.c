/* arena.c — bump allocator over a chain of malloc'ed blocks (see arena.h). */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_BYTES (64 * 1024)
#define ARENA_ALIGN 16

/* One malloc'ed block; data follows the header. */
typedef struct arena_block {
    struct arena_block *next;
    size_t size;  /* bytes of data */
    size_t used;  /* bytes of data handed out */
} arena_block;

struct arena {
    arena_block *head;  /* the block being filled; older blocks follow */
    long fail_after;    /* allocations left before injected failure; <0 off */
};

arena *arena_new(void)
{
    arena *a = calloc(1, sizeof *a);
    if (a)
        a->fail_after = -1;
    return a;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void arena_fail_after(arena *a, long n)
{
    a->fail_after = n;
}

/* Header size rounded up so that block data is ARENA_ALIGN-aligned. */
static size_t header_bytes(void)
{
    return (sizeof(arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void *arena_alloc(arena *a, size_t size)
{
    if (a->fail_after == 0)
        return NULL;
    if (a->fail_after > 0)
        a->fail_after--;
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t data = size > ARENA_BLOCK_BYTES ? size : ARENA_BLOCK_BYTES;
        b = malloc(header_bytes() + data);
        if (!b)
            return NULL;
        b->size = data;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    char *p = (char *)b + header_bytes() + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
