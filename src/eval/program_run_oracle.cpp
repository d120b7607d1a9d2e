#include "eval/program_run_oracle.h"

#include "coding/container.h"
#include "eval/grading.h"
#include "eval/sandbox.h"
#include "qa/answers.h"

namespace llmz::eval {

namespace {

constexpr int kNoProbe = 3;  // the harness's exit status when the reference answers no probe call

// Runs in the sandbox after a line that sets PREFIX, REFERENCE, CANDIDATE and PROBES; exits 1 when
// the programs differ (or the candidate fails), kNoProbe when nothing can be compared, else runs to
// its end (the sandbox's sentinel follows).
constexpr const char* kHarness = R"PY(
import ast, math, signal, sys

class Timeout(BaseException):
    pass

def on_alarm(signum, frame):
    raise Timeout()

signal.signal(signal.SIGALRM, on_alarm)

def parsed(src):
    try:
        return ast.parse(src).body
    except (SyntaxError, ValueError):
        return None

def load(body):
    ns = {'__name__': 'solution'}
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    try:
        exec(compile(PREFIX, 'prefix', 'exec'), ns)
        exec(compile(ast.Module(body=body, type_ignores=[]), 'solution', 'exec'), ns)
        return ns
    except BaseException:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)

def run(ns, call):
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        return True, eval(call, ns)
    except BaseException:
        return False, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)

def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
        except BaseException:
            return False
    if isinstance(a, (list, tuple)) and type(a) is type(b):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except BaseException:
        return False

def probe_statements():
    body = parsed(PROBES)
    if body is not None:
        return body
    out = []  # the statements that parse on their own line
    for line in PROBES.splitlines():
        out += parsed(line.strip()) or []
    return out

def probe_calls(names):
    found = []
    for statement in probe_statements():
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                call = ast.unparse(node)
                if call not in found:
                    found.append(call)
    return found[:8]

reference = parsed(REFERENCE)
if reference is None:
    sys.exit(NO_PROBE)
reference = [s for s in reference if not isinstance(s, (ast.Assert, ast.Expr))]
reference_ns = load(reference)
if reference_ns is None:
    sys.exit(NO_PROBE)
defined = {s.name for s in reference if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
expected = []
for call in probe_calls(defined):
    ok, value = run(reference_ns, call)
    if ok:
        expected.append((call, value))
if not expected:
    sys.exit(NO_PROBE)
candidate = parsed(CANDIDATE)
candidate_ns = load(candidate) if candidate is not None else None
if candidate_ns is None:
    sys.exit(1)
for call, value in expected:
    ok, got = run(candidate_ns, call)
    if not ok or not same(value, got):
        sys.exit(1)
)PY";

// A Python expression for any bytes: the text, decoded as UTF-8 (bad bytes replaced).
std::string python_text(const std::string& s) {
  return "bytes.fromhex('" + to_hex(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size())) +
         "').decode('utf-8', 'replace')";
}

}  // namespace

const char* const kProbeTestsRequest =
    "Now write 5 more assert statements that test your function on new inputs, edge cases included, one per "
    "line, in one ```python code block, and nothing else.";

std::optional<bool> same_results(const std::string& prefix, const std::string& reference, const std::string& candidate,
                                 const std::string& probes) {
  const std::string program = "NO_PROBE = " + std::to_string(kNoProbe) + "\nPREFIX = " + python_text(prefix) +
                              "\nREFERENCE = " + python_text(reference) + "\nCANDIDATE = " + python_text(candidate) +
                              "\nPROBES = " + python_text(probes) + "\n" + kHarness;
  SandboxLimits limits;  // two loads (2 s each) and up to 16 calls (1 s each)
  limits.wall_seconds = 30;
  limits.cpu_seconds = 30;
  const SandboxResult r = run_python(program, limits);
  if (r.passed) return true;
  if (!r.timed_out && !r.signal && r.exit_code == kNoProbe) return std::nullopt;
  return false;
}

void ProgramRunOracle::begin(const qa::Task& task) {
  WordsDecorator::begin(task);
  // Gold reference: the dataset's program as it is; own reference: the program in the LLM's solution.
  reference_program_ = mode() == qa::OracleMode::gold_reference
                           ? task.gold
                           : qa::extract_code(words_->reference()).value_or(std::string());
  // The dataset's program is right by definition; the LLM's may be shown wrong.
  reference_fails_shown_ = mode() == qa::OracleMode::own_reference && !reference_program_.empty() && !shown_.empty() &&
                           !run_with_tests(prefix_, reference_program_, shown_).passed;
}

bool ProgramRunOracle::answer(const qa::Question& q) {
  const auto candidate = qa::extract_code(q.text);
  if (candidate && reference_fails_shown_) {
    const bool passes = run_with_tests(prefix_, *candidate, shown_).passed;
    counts_.shown++;
    counts_.yes += passes;
    return passes;
  }
  if (candidate && !reference_program_.empty())
    if (const auto same = same_results(prefix_, reference_program_, *candidate, probes_)) {
      counts_.runs++;
      counts_.yes += *same;
      return *same;
    }
  counts_.words++;
  return words_->answer(q);
}

}  // namespace llmz::eval
