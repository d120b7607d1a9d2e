#include "eval/program_run_oracle.h"

#include "coding/container.h"
#include "eval/grading.h"
#include "eval/sandbox.h"
#include "qa/answers.h"

namespace llmz::eval {

namespace {

constexpr int kNoProbe = 3;  // the harness's exit status when the reference answers no probe call
constexpr int kDiffers = 4;  // ... when the candidate fails or returns another value

// Runs in the sandbox after lines that set NO_PROBE, DIFFERS, PREFIX, REFERENCE, CANDIDATE, SHOWN and
// PROBES; exits DIFFERS or NO_PROBE, else runs to its end (the sandbox's sentinel follows). Any other
// end (the harness itself failing) says nothing about the candidate. Time limits are CPU time, so
// that a busy machine does not change a verdict.
constexpr const char* kHarness = R"PY(
import ast, math, signal, sys

class Timeout(BaseException):
    pass

def on_alarm(signum, frame):
    raise Timeout()

signal.signal(signal.SIGPROF, on_alarm)

def parsed(src):
    try:
        return ast.parse(src).body
    except (SyntaxError, ValueError, RecursionError):
        return None

def load(body):
    ns = {'__name__': 'solution'}
    signal.setitimer(signal.ITIMER_PROF, 2.0)
    try:
        exec(compile(PREFIX, 'prefix', 'exec'), ns)
        exec(compile(ast.Module(body=body, type_ignores=[]), 'solution', 'exec'), ns)
        return ns
    except BaseException:
        return None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)

def run(ns, call):
    signal.setitimer(signal.ITIMER_PROF, 1.0)
    try:
        return True, eval(call, ns)
    except BaseException:
        return False, None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)

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

def statements(src):
    body = parsed(src)
    if body is not None:
        return body
    out = []  # the statements that parse on their own line
    for line in src.splitlines():
        out += parsed(line.strip()) or []
    return out

def calls(src, names):
    found = []
    for statement in statements(src):
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                call = ast.unparse(node)
                if call not in found:
                    found.append(call)
    return found

def functions(body):
    return {s.name for s in body or [] if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}

reference = parsed(REFERENCE)
if reference is None:
    sys.exit(NO_PROBE)
reference = [s for s in reference if not isinstance(s, (ast.Assert, ast.Expr))]
reference_ns = load(reference)
if reference_ns is None:
    sys.exit(NO_PROBE)
# The functions the problem asks for: those its shown test calls, else those its stub declares,
# else every one the reference defines (not its helpers, which a right candidate may lack).
defined = functions(reference)
asked = {c.split('(')[0] for c in calls(SHOWN, defined)} or (functions(parsed(PREFIX)) & defined) or defined
expected = []  # of the first 16 calls, up to 8 the reference answers, the same way twice
for call in calls(PROBES, asked)[:16]:
    ok, value = run(reference_ns, call)
    again_ok, again = run(reference_ns, call)
    if ok and again_ok and same(value, again):
        expected.append((call, value))
        if len(expected) == 8:
            break
if not expected:
    sys.exit(NO_PROBE)
candidate = parsed(CANDIDATE)
candidate_ns = load(candidate) if candidate is not None else None
if candidate_ns is None:
    sys.exit(DIFFERS)
for call, value in expected:
    ok, got = run(candidate_ns, call)
    if not ok or not same(value, got):
        sys.exit(DIFFERS)
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
                                 const std::string& shown, const std::string& probes) {
  const std::string program = "NO_PROBE = " + std::to_string(kNoProbe) + "\nDIFFERS = " + std::to_string(kDiffers) +
                              "\nPREFIX = " + python_text(prefix) + "\nREFERENCE = " + python_text(reference) +
                              "\nCANDIDATE = " + python_text(candidate) + "\nSHOWN = " + python_text(shown) +
                              "\nPROBES = " + python_text(probes) + "\n" + kHarness;
  SandboxLimits limits;  // CPU: two loads (2 s each), up to 32 reference calls and 8 candidate calls (1 s each)
  limits.cpu_seconds = 60;
  limits.wall_seconds = 120;  // a busy machine's
  const SandboxResult r = run_python(program, limits);
  if (r.passed) return true;
  // A candidate that outlives the limits (a sleep, a loop the CPU timer cannot interrupt) differs.
  if (r.timed_out || r.signal || r.exit_code == kDiffers) return false;
  return std::nullopt;  // no probe, or the harness itself failed
}

void ProgramRunOracle::begin(const qa::Task& task) {
  WordsDecorator::begin(task);
  // Gold reference: the dataset's program as it is; own reference: the program in the LLM's solution.
  std::string program = mode() == qa::OracleMode::gold_reference
                            ? task.gold
                            : qa::extract_code(words_->reference()).value_or(std::string());
  if (program == reference_program_) return;  // the next N's run: the verdicts stand
  reference_program_ = std::move(program);
  verdicts_.clear();
  // The dataset's program is right by definition; the LLM's may be shown wrong.
  reference_fails_shown_ = mode() == qa::OracleMode::own_reference && !reference_program_.empty() && !shown_.empty() &&
                           !run_with_tests(prefix_, reference_program_, shown_).passed;
}

bool ProgramRunOracle::answer(const qa::Question& q) {
  const auto candidate = qa::extract_code(q.text);
  if (candidate && !reference_program_.empty()) {
    auto [at, fresh] = verdicts_.try_emplace(*candidate);
    if (fresh)
      at->second = reference_fails_shown_ ? std::optional(run_with_tests(prefix_, *candidate, shown_).passed)
                                          : same_results(prefix_, reference_program_, *candidate, shown_, probes_);
    if (const auto verdict = at->second) {
      (reference_fails_shown_ ? counts_.shown : counts_.runs)++;
      counts_.yes += *verdict;
      return *verdict;
    }
  }
  counts_.words++;
  return words_->answer(q);
}

}  // namespace llmz::eval
