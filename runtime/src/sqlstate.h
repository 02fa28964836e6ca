/*
 * sqlstate.h — names of PostgreSQL's error codes, for error reports:
 * "40001" is serialization_failure, of class 40 "Transaction Rollback".
 */
#ifndef SDB_SQLSTATE_H
#define SDB_SQLSTATE_H

/* The condition name of a five-character SQLSTATE ("serialization_failure"),
 * or NULL when PostgreSQL defines no such code. */
const char *sdb_sqlstate_name(const char *code);

/* The title of the code's class, from its first two characters
 * ("Transaction Rollback" for 40xxx), or NULL for an unknown class. */
const char *sdb_sqlstate_class(const char *code);

#endif
