#!/usr/bin/env bash
# `llmz eval qa`, `llmz eval rewrite` and `llmz report` in separate processes, with the tiny models on a small benchmark
# folder made here: a smoke run of 3 problems, resume after a killed run (also from a half-written
# line), refusals of mismatched or existing results, and the report's files.
set -uo pipefail
LLMZ=${1:?usage: eval_cli_test.sh path/to/llmz}
TINY=${LLMZ_TINY_MODEL:?}
OTHER=${LLMZ_TINY_MODEL_2:?}
HERE=$(cd "$(dirname "$0")" && pwd)
LLMZ=$(realpath "$LLMZ")
source "$HERE/check.sh"
on_exit='kill %1 2>/dev/null'
enter_scratch

mkdir -p data/gsm8k
python3 - <<'PY'
import json
with open("data/gsm8k/test.jsonl", "w") as f:
    for i in range(8):
        f.write(json.dumps({"question": f"Tom has {i} apples and buys 2 more. How many apples does he have?",
                            "answer": f"{i} + 2 = {i + 2}\n#### {i + 2}"}) + "\n")
PY
COMMON=("$LLMZ" eval qa --slm "$TINY" --llm "$OTHER" --data data -n 1,2 --max-tokens 12 -q -T 1)
EVAL=("${COMMON[@]}" --benchmark gsm8k)

check "eval qa: a smoke run of 3 problems" "${EVAL[@]}" --limit 3 --results smoke.jsonl
check "3 rows, every configuration at every N, bits within N + 1" python3 -c "
import json
rows = [json.loads(l) for l in open('smoke.jsonl')]
assert [r['id'] for r in rows] == ['gsm8k-0', 'gsm8k-1', 'gsm8k-2'], rows
for r in rows:
    assert set(r['configs']) == {'qa/own-reference', 'control', 'qa+/own-reference'}, r['configs'].keys()
    for c in r['configs'].values():
        for n in ('1', '2'):
            b = c['by_n'][n]
            assert b['asked'] <= int(n) and b['coded_bits'] <= 8 * (int(n) // 8 + 2), b
    assert 'correct' in r['slm'] and 'correct' in r['llm'] and r['llm']['tokens'] > 0
    assert r['settings']['slm']['fingerprint'] and r['settings']['prompts']['version'] == 'qa-v1'
"
check "summary files beside the results" test -s smoke.json -a -s smoke.md
check "eval qa with 2 jobs writes the rows one job writes" "${EVAL[@]}" --limit 3 -j 2 --results jobs.jsonl
check "the same rows, in any order" python3 -c "
import json
def rows(path):
    def drop(x):  # wall times differ
        if isinstance(x, dict): return {k: drop(v) for k, v in x.items() if not k.endswith('seconds')}
        return [drop(v) for v in x] if isinstance(x, list) else x
    return sorted((drop(json.loads(l)) for l in open(path)), key=lambda r: r['id'])
assert rows('smoke.jsonl') == rows('jobs.jsonl')
"
check "summary has intervals" python3 -c "
import json
s = json.load(open('smoke.json'))
a = s['configs']['control']['by_n']['2']['accuracy']
assert s['problems'] == 3 and a['low'] <= a['value'] <= a['high'], a
"
# Multiple choice with a base LLM (the tiny models have no chat template): it ranks the options.
mkdir -p data/easy
python3 - <<'PY'
import json
with open("data/easy/arc_easy_test.jsonl", "w") as f:
    for i in range(3):
        f.write(json.dumps({"id": f"q{i}", "question": f"Which number is {i}?", "answerKey": "B",
                            "choices": {"text": ["ten", str(i), "a cat", "blue"], "label": ["A", "B", "C", "D"]}}) + "\n")
PY
check "eval qa on multiple choice" "${COMMON[@]}" --benchmark arc-easy --limit 3 --results arc.jsonl
check "a base LLM answers by ranking the options; the SLM ranking them is kept for reference" python3 -c "
import json
rows = [json.loads(l) for l in open('arc.jsonl')]
for r in rows:
    assert r['llm']['method'] == 'likelihood' and r['llm']['reply'].startswith('The correct answer is '), r['llm']
    assert r['llm']['answer'] in 'ABCD' and r['slm_likelihood']['answer'] in 'ABCD', r
    assert r['settings']['llm']['base_model'] is True and r['settings']['prompts']['version'] == 'qa-choice-v2'
    assert r['configs']['qa/own-reference']['final_answer'].startswith('The correct answer is'), r['configs']
s = json.load(open('arc.json'))
assert s['llm']['method'] == 'likelihood' and 'slm_likelihood' in s, s.keys()
assert 'ranking the options' in open('arc.md').read()
"
expect_error "candidates mode with prompts that have no candidate templates" 1 "candidate_question" "" \
  "${COMMON[@]}" --benchmark arc-easy --limit 3 --mode candidates --prompts "$HERE/../prompts/qa-choice-v2.json" \
  --results arc-candidates.jsonl
check "eval qa --mode candidates on multiple choice" "$LLMZ" eval qa --slm "$TINY" --llm "$OTHER" --data data -n 1,2,5 \
  --max-tokens 12 -q -T 1 --benchmark arc-easy --limit 3 --mode candidates --oracle own-reference,gold-reference \
  --results arc-candidates.jsonl
check "the questions name the choices, each once; a rejected choice is never the answer; no samples drawn" python3 -c "
import json
rows = [json.loads(l) for l in open('arc-candidates.jsonl')]
assert len(rows) == 3 and rows[0]['settings']['prompts']['version'] == 'qa-candidates-choice-v1', rows[0]['settings']
for r in rows:
    assert 'slm_majority' not in r and set(r['configs']) == {'control', 'qa/own-reference', 'qa/gold-reference'}, r
    for c in r['configs'].values():  # the turns of the largest N, 5
        letters = [t['q'][len('Is choice '):-len(' correct?')] for t in c['turns']]
        assert len(set(letters)) == len(letters) and all(len(l) == 1 and l in 'ABCD' for l in letters), letters
        assert len(letters) == 3 or c['turns'][-1]['yes'], c  # the fourth choice needs no question
        answer = c['final_answer'][len('The correct answer is '):][0]
        assert answer not in [l for l, t in zip(letters, c['turns']) if not t['yes']], c
        assert c['by_n']['5']['answer'] == answer, c
    gold = r['configs']['qa/gold-reference']
    assert all((t['q'] == 'Is choice %s correct?' % r['gold']) == t['yes'] for t in gold['turns']), (r['gold'], gold)
# The base LLM's letter oracle says yes exactly to the gold letter: this checks that the summary reads
# the letters back from the questions.
a = json.load(open('arc-candidates.json'))['configs']['qa/gold-reference']['oracle_agreement']
assert a['questions'] >= 3 and a['agree_gold'] == a['questions'], a
"
check "eval qa --mode candidates: the SLM's majority beside the control, no QA+" "${EVAL[@]}" --limit 2 -n 3 --mode candidates \
  --results candidates.jsonl
check "candidates rows" python3 -c "
import json
rows = [json.loads(l) for l in open('candidates.jsonl')]
assert len(rows) == 2 and rows[0]['settings']['prompts']['version'] == 'qa-candidates-v1', rows[0]['settings']
for r in rows:
    assert 'correct' in r['slm_majority'] and set(r['configs']) == {'control', 'qa/own-reference'}, r
assert 'most frequent answer' in open('candidates.md').read()
"
check "eval qa --baselines-only" "${EVAL[@]}" --limit 3 --baselines-only --results base.jsonl
check "baseline rows: the SLM and the LLM alone, no configurations; the summary pairs them" python3 -c "
import json
rows = [json.loads(l) for l in open('base.jsonl')]
assert len(rows) == 3 and all('configs' not in r and 'correct' in r['slm'] and r['slm']['reply'] for r in rows), rows
s = json.load(open('base.json'))
d = s['llm_minus_slm']
assert s['configs'] == {} and d['low'] <= d['value'] <= d['high'], s
"
expect_error "existing results without --resume" 2 "already exists" "" "${EVAL[@]}" --limit 3 --results smoke.jsonl
expect_error "resume with other settings" 1 "other models or settings" "" "${EVAL[@]}" --limit 3 -n 1 --results smoke.jsonl --resume
expect_error "unknown benchmark" 1 "unknown benchmark" "" "${COMMON[@]}" --benchmark nope --results x.jsonl
expect_error "N above the limit" 1 "between 1 and" "" "${EVAL[@]}" -n 1,99 --results y.jsonl

# Kill a run after its first row, then resume: every problem once, none lost.
"${EVAL[@]}" --limit 8 --results killed.jsonl >/dev/null 2>&1 &
for _ in $(seq 600); do [[ -s killed.jsonl ]] && break; sleep 0.1; done
kill -9 %1 2>/dev/null
wait %1 2>/dev/null
check "the run was killed before it finished" python3 -c "assert 1 <= sum(1 for _ in open('killed.jsonl')) < 8"
printf '{"id": "gsm8k-7", "half a li' >>killed.jsonl  # as if killed while writing
check "resume after a killed run" "${EVAL[@]}" --limit 8 --results killed.jsonl --resume
check "each problem exactly once after resuming" python3 -c "
import json
ids = [json.loads(l)['id'] for l in open('killed.jsonl')]
assert sorted(ids) == sorted(f'gsm8k-{i}' for i in range(8)), ids
"

check "eval rewrite: a smoke run of 2 problems" "$LLMZ" eval rewrite --coder "$TINY" --writer "$OTHER" --solver "$TINY" \
  --data data --limit 2 -N 2 --max-tokens 12 -q -T 1 --results rewrite.jsonl
check "rewrite rows: every method, bits, the sender's seconds and solver answers" python3 -c "
import json
rows = [json.loads(l) for l in open('rewrite.jsonl')]
assert len(rows) == 2
failed_originals = 0
for r in rows:
    for m in ('lossless', 'rewrite', 'best_of_n_rewrite'):
        v = r['reference'][m]
        assert v['bits'] >= 0 and 'correct' in v and v['seconds'] > 0, r['reference']
    # best of N writes and codes the greedy rewrite and more: never less time than the greedy one alone
    assert r['reference']['best_of_n_rewrite']['seconds'] >= r['reference']['rewrite']['seconds'], r['reference']
    assert r['shortest_of_n']['seconds'] > 0 and r['seconds'] >= r['reference']['best_of_n_rewrite']['seconds'], r
    assert r['reference']['lossless']['text'].endswith('#### ' + r['gold'])
    assert r['settings']['solver_view'] == 'answer hidden and masked', r['settings']
    # The checked rewrite: the cheapest candidate the sender's solver got the original's answer from,
    # else the original itself, unless the solver misses the answer from the original too (the check
    # and the grade are one request): then the cheapest candidate.
    for src in ('reference', 'llm'):
        if 'lossless' not in r[src]:
            continue
        c, plain = r[src]['checked_rewrite'], r[src]['lossless']
        assert c['checked'] <= 2 and c['text'], c
        if c['sent_original']:
            assert c['text'] == plain['text'] and c['bits'] == plain['bits'], (c, plain)
            assert c['checked'] == 0 or plain['correct'], (c, plain)
        elif c.get('original_failed_check'):
            best = r[src]['best_of_n_rewrite']
            assert not plain['correct'] and c['text'] == best['text'] and c['bits'] == best['bits'], (c, plain, best)
            failed_originals += 1
        elif c['checked'] == 1:  # the cheapest candidate passed: best of N itself
            best = r[src]['best_of_n_rewrite']
            assert c['text'] == best['text'] and c['bits'] == best['bits'], (c, best)
        else:  # the cheapest failed, the other passed
            assert c['checked'] == 2 and c['text'] != r[src]['best_of_n_rewrite']['text'], c
assert failed_originals > 0, 'the tiny solver works out no original, so its check passes nothing'
s = json.load(open('rewrite.json'))
assert 'checked_rewrite' in s['sources']['reference'], s
assert s['sources']['reference']['rewrite']['timed'] == 2 and s['sources']['reference']['rewrite']['mean_seconds'] > 0, s
"
expect_error "a rewrite run resumes only with its own settings" 1 "other models or settings" rewrite-none.jsonl \
  "$LLMZ" eval rewrite --coder "$TINY" --writer "$OTHER" --solver "$TINY" --data data --limit 3 -N 3 --max-tokens 12 \
  -q -T 1 --results rewrite.jsonl --resume
check "eval rewrite --originals reference: one more problem, resumed, without the writer's own solution" \
  "$LLMZ" eval rewrite --coder "$TINY" --writer "$OTHER" --solver "$TINY" --data data --limit 3 -N 2 --max-tokens 12 \
  -q -T 1 --results rewrite.jsonl --resume --originals reference
check "the new row holds the reference only; the summary counts each source over the rows that have it" python3 -c "
import json
rows = [json.loads(l) for l in open('rewrite.jsonl')]
assert len(rows) == 3 and 'llm' not in rows[2] and 'llm_solution_correct' not in rows[2], rows[2].keys()
assert 'checked_rewrite' in rows[2]['reference'] and 'shortest_of_n' in rows[2], rows[2]
s = json.load(open('rewrite.json'))
assert s['sources']['reference']['rewrite']['n'] == 3 and s['llm_solutions'] == 2, s
assert 'llm' not in s['sources'] or s['sources']['llm']['rewrite']['n'] <= 2, s
"
check "eval rewrite --originals llm: the writer's own solution alone" "$LLMZ" eval rewrite --coder "$TINY" \
  --writer "$OTHER" --solver "$TINY" --data data --limit 1 -N 2 --max-tokens 12 -q -T 1 --originals llm \
  --results rewrite-llm.jsonl
check "report reads a run without the dataset's solutions" sh -c \
  "\"$LLMZ\" report rewrite-llm.jsonl -o report-llm >/dev/null && python3 -c \"
import json
r = json.loads(open('rewrite-llm.jsonl').readline())
assert 'reference' not in r and 'llm' in r and 'llm_solution_correct' in r, r.keys()
\" && grep -q 'Lossy rewrite' report-llm/report.md"
expect_error "eval rewrite --originals names only known texts" 1 "originals" "" "$LLMZ" eval rewrite --coder "$TINY" \
  --writer "$OTHER" --solver "$TINY" --data data --limit 1 --originals mine --results never.jsonl
python3 - <<'PY'  # a row from before the sender's seconds were recorded, beside a timed one
import json
with open("rewrite-untimed.jsonl", "w") as f:
    for i, line in enumerate(open("rewrite.jsonl")):
        r = json.loads(line)
        if i == 0:
            del r["seconds"], r["shortest_of_n"]["seconds"]
            for source in ("reference", "llm"):
                for method in ("lossless", "rewrite", "best_of_n_rewrite", "checked_rewrite"):
                    r[source].get(method, {}).pop("seconds", None)
        f.write(json.dumps(r) + "\n")
PY
check "report: rewrite rows with and without seconds" sh -c \
  "\"$LLMZ\" report rewrite-untimed.jsonl -o report-untimed >/dev/null && grep -q '(1 of 2 rows)' report-untimed/report.md"
check "eval recode with the run's own coder" "$LLMZ" eval recode rewrite.jsonl --coder "$TINY" --data data -q -T 1 \
  -o recoded-same.jsonl
check "eval recode with another coder" "$LLMZ" eval recode rewrite.jsonl --coder "$OTHER" --data data -q -T 1 \
  -o recoded-other.jsonl
check "recoded rows: the same coder gives the run's bits, another its own; texts and verdicts kept" python3 -c "
import json
rows, same, other = ([json.loads(l) for l in open(f)] for f in ('rewrite.jsonl', 'recoded-same.jsonl', 'recoded-other.jsonl'))
assert len(rows) == len(same) == len(other) == 3  # the third without the writer's own solution
differ = exact = 0
for r, s, o in zip(rows, same, other):
    entries = [('shortest_of_n',)] + [(src, m) for src in ('reference', 'llm') if 'lossless' in r.get(src, {}) for m in ('lossless', 'rewrite', 'best_of_n_rewrite', 'checked_rewrite')]
    for e in entries:
        get = lambda row: row[e[0]] if len(e) == 1 else row[e[0]][e[1]]
        # Coded exactly as the run coded it, where the row holds the text itself: JSON cannot hold
        # bytes that are not UTF-8 (the tiny models write some), so those are stored replaced.
        if '\ufffd' not in get(r)['text']:
            assert get(s)['bits'] == get(r)['bits'], (e, get(s), get(r))
            exact += 1
        assert get(o)['text'] == get(r)['text'] and get(o)['correct'] == get(r)['correct'] and 'seconds' not in get(o), e
        differ += get(o)['bits'] != get(r)['bits']
    assert o['recoded_from'] == r['models']['coder'], o  # (both tiny models have one name)
    assert o['models']['writer'] == r['models']['writer'] and 'seconds' not in o
assert differ > 0, 'another coder gave every text the same bits'
assert exact >= 2, 'no text to compare'  # the dataset's solutions at least
" 
check "recoded summary says what was coded again" grep -q "Coded again by" recoded-other.md
expect_error "eval recode refuses an existing output" 2 "already exists" "" "$LLMZ" eval recode rewrite.jsonl \
  --coder "$OTHER" --data data -q -T 1 -o recoded-other.jsonl
expect_error "eval recode refuses to replace its run without -f" 2 "already exists" "" "$LLMZ" eval recode \
  rewrite.jsonl --coder "$OTHER" --data data -q -T 1 -o rewrite.jsonl
expect_error "eval recode wants a .jsonl output" 1 "ends in .jsonl" "recoded.json" "$LLMZ" eval recode rewrite.jsonl \
  --coder "$OTHER" --data data -q -T 1 -o recoded.json
mkdir -p other-data/gsm8k && sed 's/ + 2 = / plus 2 is /' data/gsm8k/test.jsonl >other-data/gsm8k/test.jsonl
expect_error "eval recode refuses rows of other problems (another --data)" 3 "another --data" "recoded-elsewhere.jsonl" \
  "$LLMZ" eval recode rewrite.jsonl --coder "$OTHER" --data other-data -q -T 1 -o recoded-elsewhere.jsonl
expect_error "eval recode refuses QA results" 1 "not the results of \`llmz eval rewrite\`" "recoded-qa.jsonl" \
  "$LLMZ" eval recode smoke.jsonl --coder "$OTHER" --data data -q -T 1 -o recoded-qa.jsonl

check "eval resolve with the run's own solver" "$LLMZ" eval resolve rewrite.jsonl --solver "$TINY" --data data -q -T 1 \
  -o resolved-same.jsonl
check "eval resolve with another solver" "$LLMZ" eval resolve rewrite.jsonl --solver "$OTHER" --data data -q -T 1 \
  -o resolved-other.jsonl
cat >resolved_check.py <<'PY'
import json, sys
run, same, other = sys.argv[1:4]
rows, same, other = ([json.loads(l) for l in open(f)] for f in (run, same, other))
assert len(rows) == len(same) == len(other) >= 2
exact = 0
for r, s, o in zip(rows, same, other):
    entries = [('shortest_of_n',)] + [(src, m) for src in ('reference', 'llm') if 'lossless' in r.get(src, {}) for m in ('lossless', 'rewrite', 'best_of_n_rewrite', 'checked_rewrite') if m in r[src]]
    for e in entries:
        get = lambda row: row[e[0]] if len(e) == 1 else row[e[0]][e[1]]
        # The run's own solver reads each text as the run did: the same verdicts (where the row holds
        # the text itself: bytes that are not UTF-8 are stored replaced).
        if '\ufffd' not in get(r)['text']:
            assert (get(s)['solver_answer'], get(s)['correct'], get(s).get('note')) == \
                   (get(r)['solver_answer'], get(r)['correct'], get(r).get('note')), (e, get(s), get(r))
            exact += 1
        for x in (s, o):  # what was sent stays the run's
            assert get(x)['text'] == get(r)['text'] and get(x)['bits'] == get(r)['bits'], e
    assert o['resolved_from'] == r['models']['solver'] and o['models']['coder'] == r['models']['coder'], o
    assert 'seconds' not in o
assert exact >= 2, 'no text to compare'
PY
check "resolved rows: the run's solver gives the run's verdicts; texts and bits kept" python3 resolved_check.py \
  rewrite.jsonl resolved-same.jsonl resolved-other.jsonl
check "resolved summary says what was solved again" grep -q "Solved again by" resolved-other.md
check "eval resolve sampling, on one thread and on two" sh -c "\"$LLMZ\" eval resolve rewrite.jsonl --solver \"$TINY\" \
  --temperature 0.8 --seed 3 --data data -q -T 1 -o resolved-sampled.jsonl && \"$LLMZ\" eval resolve rewrite.jsonl \
  --solver \"$TINY\" --temperature 0.8 --seed 3 --data data -q -T 2 -o resolved-sampled-2.jsonl"
check "sampled readings are the same on any thread count" cmp resolved-sampled.jsonl resolved-sampled-2.jsonl
check "sampled rows say how they were read and keep what was sent" python3 -c "
import json, sys
run = [json.loads(l) for l in open('rewrite.jsonl')]
for r, s in zip(run, [json.loads(l) for l in open('resolved-sampled.jsonl')]):
    assert abs(s['settings']['solver_temperature'] - 0.8) < 1e-6 and s['settings']['solver_seed'] == 3, s['settings']
    assert s['reference']['checked_rewrite']['text'] == r['reference']['checked_rewrite']['text']
    assert s['reference']['checked_rewrite']['bits'] == r['reference']['checked_rewrite']['bits']
"
check "sampled summary says so" grep -q "sampled at temperature 0.8 (seed 3)" resolved-sampled.md
check "a sampled reading read again greedily is the run's own reading" sh -c "\"$LLMZ\" eval resolve \
  resolved-sampled.jsonl --solver \"$TINY\" --data data -q -T 1 -o resolved-greedy-again.jsonl && \
  cmp resolved-same.jsonl resolved-greedy-again.jsonl"
expect_error "eval resolve refuses QA results" 1 "not the results of \`llmz eval rewrite\`" "resolved-qa.jsonl" \
  "$LLMZ" eval resolve smoke.jsonl --solver "$OTHER" --data data -q -T 1 -o resolved-qa.jsonl

mkdir -p data/mbpp
python3 - <<'PY'
import json
with open("data/mbpp/mbpp.jsonl", "w") as f:
    for i in (11, 12):
        f.write(json.dumps({"task_id": i, "text": f"Write a function to add {i} to a number.",
                            "code": f"def add_{i}(x):\n    return x + {i}", "test_setup_code": "",
                            "test_list": [f"assert add_{i}(1) == {i + 1}"]}) + "\n")
PY
check "eval rewrite on programs" "$LLMZ" eval rewrite --coder "$TINY" --writer "$OTHER" --solver "$TINY" \
  --benchmark mbpp --data data --limit 2 -N 2 --max-tokens 12 -q -T 1 --results rewrite-mbpp.jsonl
check "program rows: the reference program is the original, the code prompts are used" python3 -c "
import json
rows = [json.loads(l) for l in open('rewrite-mbpp.jsonl')]
assert [r['id'] for r in rows] == ['mbpp-11', 'mbpp-12'], rows
for r in rows:
    assert r['reference']['lossless']['text'] == r['gold'] and r['gold'].startswith('def add_'), r['reference']
    assert r['settings']['prompts'] == 'rewrite-code-v1' and isinstance(r['llm_solution_correct'], bool), r
    assert r['settings']['solver_view'] == 'program', r['settings']
    # Checked by the test the problem shows: the cheapest rewrite the solver's program passes it from.
    c = r['reference']['checked_rewrite']
    assert 1 <= c['checked'] <= 2 and (not c['sent_original'] or c['text'] == r['gold']), c
    # The solver's program from the original fails the shown test too: then the cheapest rewrite went.
    assert not c.get('original_failed_check') or (not r['reference']['lossless']['correct'] and
                                                  c['text'] == r['reference']['best_of_n_rewrite']['text']), (c, r)
    for m in ('lossless', 'rewrite', 'best_of_n_rewrite'):  # graded by running a program: right, or why not
        v = r['reference'][m]
        assert v['correct'] or v['note'] in ('no code in the reply',) or 'Error' in v['note'], v
"
check "eval resolve on programs: the run's solver again, then another" sh -c "\"$LLMZ\" eval resolve rewrite-mbpp.jsonl \
  --solver \"$TINY\" --data data -q -T 1 -o resolved-mbpp-same.jsonl && \"$LLMZ\" eval resolve rewrite-mbpp.jsonl \
  --solver \"$OTHER\" --data data -q -T 1 -o resolved-mbpp-other.jsonl"
check "resolved program rows: the run's verdicts from its own solver" python3 resolved_check.py rewrite-mbpp.jsonl \
  resolved-mbpp-same.jsonl resolved-mbpp-other.jsonl
check "eval qa --run-programs: candidates on programs, the oracles run them" "$LLMZ" eval qa --slm "$TINY" \
  --llm "$OTHER" --data data -n 2 --max-tokens 12 -q -T 1 --benchmark mbpp --limit 2 --mode candidates \
  --oracle own-reference,gold-reference --run-programs --results run-programs.jsonl
check "run-programs rows: the LLM's tests, the shown-test answer, every question answered one way or the other" python3 -c "
import json
rows = [json.loads(l) for l in open('run-programs.jsonl')]
assert len(rows) == 2 and rows[0]['settings']['oracle_runs_programs'] is True, rows[0]['settings']
for r in rows:
    assert isinstance(r['llm']['tests'], str) and isinstance(r['slm_shown_test']['passing'], bool), r
    for name in ('qa/own-reference', 'qa/gold-reference'):
        c = r['configs'][name]
        runs = c['program_runs']
        assert runs['runs'] + runs['words'] == len(c.get('turns', [])) and runs['yes'] <= runs['runs'], c
    assert 'program_runs' not in r['configs']['control']
s = json.load(open('run-programs.json'))
assert 'program_runs' in s['configs']['qa/own-reference'] and 'minus_shown_test' in s['configs']['control']['by_n']['2'], s
"
expect_error "--run-programs only on code in candidates mode" 1 "--run-programs needs candidates mode" \
  "run-programs-gsm8k.jsonl" "${EVAL[@]}" --limit 1 --mode candidates --run-programs --results run-programs-gsm8k.jsonl
expect_error "eval rewrite on multiple choice" 1 "multiple choice" "" "$LLMZ" eval rewrite --coder "$TINY" \
  --writer "$OTHER" --solver "$TINY" --benchmark arc-easy --data data --limit 2 -q -T 1 --results rewrite-arc.jsonl

check "report: markdown and charts" "$LLMZ" report smoke.jsonl killed.jsonl base.jsonl rewrite.jsonl -o report
check "report files" sh -c "test -s report/report.md && grep -q '<svg' report/frontier.svg && grep -q 'N=2' report/smoke.svg && grep -q 'gap recovered' report/report.md && grep -q 'minus the SLM' report/report.md && test -s report/base.svg && grep -q 'best_of_n_rewrite' report/report.md"
mkdir -p other report/sub && cp rewrite.jsonl other/ && cp smoke.jsonl report/sub/ && cp base.jsonl other/frontier.jsonl
check "report: runs of one name, one below the output folder, one named like its own files" \
  "$LLMZ" report rewrite.jsonl other/rewrite.jsonl report/sub/smoke.jsonl other/frontier.jsonl -o report
check "report: each run has its own section and chart" sh -c "grep -q '^## rewrite\$' report/report.md &&
  grep -q '^## rewrite-2\$' report/report.md && grep -q '^## sub/smoke\$' report/report.md && test -s report/sub/smoke.svg &&
  grep -q '^## frontier-2\$' report/report.md && test -s report/frontier-2.svg"
expect_error "report on a file that is not results" 3 "not a results file" "" "$LLMZ" report data/gsm8k/test.jsonl -o report2

finish
