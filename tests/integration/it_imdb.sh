# stormdb-imdb: the load at scale 10 (sizes, --check), short runs of
# imdb_read, imdb_write and imdb_mixed in which every statement of the mix
# runs without an error, the ratings kept in step with the votes, the scale
# read back from the data; then a rebuild at scale 1000 run through the
# three example configs; at both scales the ids the runs drew and wrote
# cover the whole range; and the checks fail on broken data.
. "$(dirname "$0")/lib.sh"

IMDB=$BIN/stormdb-imdb
[ -x "$IMDB" ] || fail "$IMDB not built"

READS="search_plain search_web movie_info movie_credits movie_comments person_info filmography
       top_genre_decade top_year_by_genre co_stars shared_films rating_histogram user_profile"
WRITES="lock_rating cast_vote add_comment mark_helpful log_view"

# assert_le ACTUAL MAX WHAT (numbers)
assert_le() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }' || fail "$3: expected <= $2, got '$1'"
}

# statements_of JSON: "name executed errors" per statement of the report
statements_of() {
    j=0
    while name=$($JGET "$1" statements.$j.name 2>/dev/null) && [ -n "$name" ]; do
        echo "$name $($JGET "$1" statements.$j.executed) $($JGET "$1" statements.$j.errors)"
        j=$((j + 1))
    done
}

# check_run JSON WHAT RAN IDLE: no failed transaction and no error; every
# statement in RAN executed at least once, none in IDLE executed
check_run() {
    assert_eq "$($JGET "$1" performance.failed)" 0 "$2: failed transactions"
    assert_eq "$($JGET "$1" errors)" "[]" "$2: errors"
    statements_of "$1" >"$2.stmts"
    [ "$(wc -l <"$2.stmts")" -eq 18 ] || { cat "$2.stmts"; fail "$2: 18 statements in the report"; }
    while read -r name executed errors; do
        assert_eq "$errors" 0 "$2: errors of $name"
    done <"$2.stmts"
    for name in $3; do
        n=$(awk -v s="$name" '$1 == s { print $2 }' "$2.stmts")
        assert_gt "${n:-0}" 0 "$2: executions of $name"
    done
    for name in $4; do
        n=$(awk -v s="$name" '$1 == s { print $2 }' "$2.stmts")
        assert_eq "${n:-0}" 0 "$2: executions of $name"
    done
}


# drawn_across JSON WHAT: movie, person and user draws (those the mix makes)
# land in the top tenth of their id ranges, but not all of them
drawn_across() {
    for kind in $3; do
        all=$(json_counter "$1" ${kind}_draws)
        top=$(json_counter "$1" ${kind}_draws_top)
        echo "$2: $kind ids drawn $all, in the top tenth $top"
        assert_gt "$top" 0 "$2: $kind ids drawn from the top tenth of the range"
        assert_gt "$all" "$top" "$2: $kind ids drawn below the top tenth"
    done
}

# written_across TABLE WHERE N WHAT: the rows of TABLE the runs wrote (those
# matching the condition WHERE: ids or times the load does not make) name
# movies across 1..N: none beyond it, the highest above 80% of it, the
# lowest at most 20%
written_across() {
    r=$(sql "SELECT min(movie_id) || ' ' || max(movie_id) || ' ' || count(DISTINCT movie_id) FROM $1 WHERE $2")
    set -- "$@" $r
    echo "$4: $1 written for movies $5..$6 ($7 distinct) of 1..$3"
    assert_gt "$6" "$(($3 * 8 / 10))" "$4: highest movie id written to $1"
    assert_le "$5" "$(($3 / 5))" "$4: lowest movie id written to $1"
    assert_le "$6" "$3" "$4: highest movie id written to $1 (within the scale)"
}

# --- load at scale 10 ----------------------------------------------------
$IMDB --setup --scale 10 --no-run >setup10.txt 2>&1 || { cat setup10.txt; fail "setup at scale 10"; }
echo "scale 10: $(grep '^setup done' setup10.txt)"
assert_eq "$(sql 'SELECT count(*) FROM movies')" 10 "movies"
assert_eq "$(sql 'SELECT count(*) FROM people')" 20 "people"
assert_eq "$(sql 'SELECT count(*) FROM users')" 50 "users"
assert_eq "$(sql 'SELECT count(*) FROM movie_cast')" 80 "cast rows"
assert_eq "$(sql 'SELECT count(*) FROM movie_crew')" 40 "crew rows"
assert_eq "$(sql "SELECT count(*) FROM movie_crew WHERE ord = 1 AND job = 'director'")" 10 "a director per movie"
assert_eq "$(sql 'SELECT count(*) FROM genres')" 20 "genres"
assert_eq "$(sql 'SELECT count(*) FROM ratings')" 10 "ratings rows"
assert_eq "$(sql 'SELECT count(*) FROM comments')" 30 "comments"
assert_eq "$(sql 'SELECT count(*) FROM view_logs')" 100 "view logs"
votes=$(sql 'SELECT count(*) FROM votes')
assert_gt "$votes" 50 "votes (200 drawn, a user's repeats on a movie removed)"
assert_le "$votes" 200 "votes (at most 200)"
assert_eq "$(sql "SELECT count(*) FROM movies WHERE title_tsv = to_tsvector('english', title)")" 10 "title_tsv"
assert_eq "$(sql "SELECT count(*) FROM pg_indexes WHERE indexname = 'movies_title_search' AND indexdef LIKE '%gin%'")" 1 \
    "the GIN index on the titles"
$IMDB --check >check10.txt 2>&1 || { cat check10.txt; fail "--check after the load"; }
assert_contains check10.txt "checks: 6 passed, 0 failed, 0 errors"

# --- the three types, briefly ----------------------------------------------
$IMDB -w imdb_read --workers 3 --duration 3s --no-summary --json read.json >read.txt 2>&1 \
    || { cat read.txt; fail "imdb_read"; }
check_run read.json imdb_read "$READS" "$WRITES"
drawn_across read.json "imdb_read at scale 10" "movie person user"
assert_eq "$($JGET read.json run.scale)" 10 "scale of the run"

views0=$(sql 'SELECT max(view_id) FROM view_logs')
$IMDB -w imdb_write --workers 4 --duration 3s --no-summary --json write.json >write.txt 2>&1 \
    || { cat write.txt; fail "imdb_write"; }
check_run write.json imdb_write "$WRITES" "$READS"
drawn_across write.json "imdb_write at scale 10" "movie user"
# every committed vote locked and updated its movie's ratings row
assert_eq "$(sql 'SELECT sum(vote_count) FROM ratings')" "$(sql 'SELECT count(*) FROM votes')" "votes counted in ratings"
written_across view_logs "view_id > $views0" 10 "imdb_write at scale 10"
written_across votes "voted_at > '2024-06-02'" 10 "imdb_write at scale 10"

# the scale is read from the data, whatever --scale says
$IMDB -w imdb_mixed --scale 5 --workers 4 --duration 3s --no-summary --json mixed.json >mixed.txt 2>&1 \
    || { cat mixed.txt; fail "imdb_mixed"; }
check_run mixed.json imdb_mixed "$READS $WRITES" ""
assert_eq "$($JGET mixed.json run.scale)" 10 "the scale of the loaded data"
j=0
while n=$($JGET mixed.json transactions.$j.name 2>/dev/null) && [ -n "$n" ]; do
    echo "$n $($JGET mixed.json transactions.$j.share_percent)"
    j=$((j + 1))
done >mixed.shares
reads=$(awk '$1 ~ /^(search_titles|movie_page|person_page|top_rated|co_star|vote_stats)$/ { s += $2 }
             END { print s }' mixed.shares)
echo "imdb_mixed: reads $reads% of the transactions"
assert_gt "$reads" 64 "share of reads in imdb_mixed (70%)"
assert_le "$reads" 76 "share of reads in imdb_mixed (70%)"
$IMDB --check >check10b.txt 2>&1 || { cat check10b.txt; fail "--check after the runs"; }
assert_contains check10b.txt "checks: 6 passed, 0 failed, 0 errors"

# --- scale 1000 through the example configs --------------------------------
t0=$(date +%s)
$IMDB --rebuild --scale 1000 --no-run >setup1000.txt 2>&1 || { cat setup1000.txt; fail "rebuild at scale 1000"; }
t1=$(date +%s)
echo "scale 1000: $(grep '^setup done' setup1000.txt)"
[ $((t1 - t0)) -le 30 ] || fail "loading scale 1000 took $((t1 - t0)) s"
assert_eq "$(sql 'SELECT count(*) FROM movies')" 1000 "movies"
assert_eq "$(sql 'SELECT count(*) FROM people')" 2000 "people"
assert_eq "$(sql 'SELECT count(*) FROM users')" 5000 "users"
assert_eq "$(sql 'SELECT count(*) FROM movie_cast')" 8000 "cast rows"
assert_eq "$(sql 'SELECT count(*) FROM ratings')" 1000 "ratings rows"
# popularity is skewed: the busiest movie has many more views than the median
assert_gt "$(sql 'SELECT max(n) FROM (SELECT count(*) AS n FROM view_logs GROUP BY movie_id) v')" 100 "views of the most viewed movie"

views0=$(sql 'SELECT max(view_id) FROM view_logs')
for t in read write mixed; do
    f=$SDB_SOURCE/config/config_imdb_$t.yaml
    $IMDB -c "$f" --host "$PGHOST" --port "$PGPORT" --dbname "$PGDATABASE" -u "$PGUSER" \
        --duration 2s --workers 3 --connections 3 --no-summary --json "cfg_$t.json" >"cfg_$t.txt" 2>&1 \
        || { cat "cfg_$t.txt"; fail "$f"; }
    ! grep -q 'warning' "cfg_$t.txt" || { cat "cfg_$t.txt"; fail "$f: warnings"; }
    assert_eq "$($JGET "cfg_$t.json" run.type)" "imdb_$t" "$f: the type from the file"
    assert_eq "$($JGET "cfg_$t.json" run.scale)" 1000 "$f: scale"
    assert_eq "$($JGET "cfg_$t.json" run.workers)" 3 "$f: --workers overrides the file"
done
check_run cfg_read.json config_imdb_read "$READS" "$WRITES"
check_run cfg_write.json config_imdb_write "$WRITES" "$READS"
check_run cfg_mixed.json config_imdb_mixed "$READS $WRITES" ""
drawn_across cfg_mixed.json "imdb_mixed at scale 1000" "movie person user"
written_across view_logs "view_id > $views0" 1000 "scale 1000"
written_across votes "voted_at > '2024-06-02'" 1000 "scale 1000"
written_across comments "created_at > '2024-06-02'" 1000 "scale 1000"
$IMDB --check >check1000.txt 2>&1 || { cat check1000.txt; fail "--check at scale 1000"; }
assert_contains check1000.txt "checks: 6 passed, 0 failed, 0 errors"

# --- the checks catch broken data ------------------------------------------
sql "UPDATE ratings SET vote_count = vote_count + 1 WHERE movie_id = 7" >/dev/null
sql "INSERT INTO movie_cast (movie_id, ord, person_id, character) VALUES (1, 99, 2001, 'nobody')" >/dev/null
expect_status 1 $IMDB --check >bad.txt 2>&1
assert_contains bad.txt "FAIL ratings_match_votes"
assert_contains bad.txt "FAIL no_orphan_credits"
assert_contains bad.txt "checks: 4 passed, 2 failed, 0 errors"
echo "ok"
