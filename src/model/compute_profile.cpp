#include "model/compute_profile.h"

#include <sys/utsname.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "common/error.h"
#include "ggml-backend.h"
#include "model/loaded_model.h"

namespace llmz::detail {

const char* compute_profile_name(Compute profile) { return profile == Compute::portable ? "x86-64-v3" : "native"; }

namespace {

struct State {
  std::mutex mutex;
  std::optional<Compute> profile;
  ggml_backend_reg_t backend = nullptr;
  std::string system_info;  // llama_print_system_info() with this profile's module loaded
  int leases = 0;
};

State& state() {
  static State s;
  return s;
}

// Where scripts/build_llama.sh puts the CPU backend modules; LLMZ_CPU_MODULE_DIR overrides it.
std::filesystem::path module_dir() {
  const char* dir = std::getenv("LLMZ_CPU_MODULE_DIR");
  return dir && *dir ? dir : LLMZ_CPU_MODULE_DIR;
}

// x86-64-v3 as ggml's "haswell" variant compiles it; checked with CPUID (so an emulator's CPU counts).
void require_x86_64_v3() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const std::pair<bool, const char*> needs[] = {
      {__builtin_cpu_supports("sse4.2"), "SSE4.2"}, {__builtin_cpu_supports("avx"), "AVX"},
      {__builtin_cpu_supports("avx2"), "AVX2"},     {__builtin_cpu_supports("fma"), "FMA"},
      {__builtin_cpu_supports("f16c"), "F16C"},     {__builtin_cpu_supports("bmi2"), "BMI2"}};
  std::string missing;
  for (const auto& [has, name] : needs)
    if (!has) missing += std::string(missing.empty() ? "" : ", ") + name;
  if (!missing.empty())
    fail(ErrorCode::model,
         "compute profile x86-64-v3 needs a CPU with SSE4.2, AVX, AVX2, FMA, F16C and BMI2; "
         "this one lacks " +
             missing);
#else
  utsname u{};
  fail(ErrorCode::model, std::string("compute profile x86-64-v3 runs on x86-64 CPUs; this machine is ") +
                             (uname(&u) == 0 ? u.machine : "another architecture"));
#endif
}

std::set<std::string> words(const std::string& text) {
  std::istringstream in(text);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

// The native module built for this CPU kind: the one whose .flags file lists this CPU's flags.
std::filesystem::path native_module() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, flags;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0 && line.find(':') != std::string::npos) {
      flags = line.substr(line.find(':') + 1);
      break;
    }
  const std::set<std::string> host = words(flags);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(module_dir(), ec)) {
    const auto& p = entry.path();
    if (p.extension() != ".flags" || p.filename().string().rfind("libggml-cpu-native-", 0) != 0) continue;
    std::ifstream f(p);
    std::stringstream built;
    built << f.rdbuf();
    if (!host.empty() && words(built.str()) == host) return std::filesystem::path(p).replace_extension(".so");
  }
  fail(ErrorCode::model, "compute profile native: no CPU backend is built for this CPU kind in " +
                             module_dir().string() + " (run scripts/build_llama.sh here)");
}

ggml_backend_reg_t load_module(Compute profile) {
  std::filesystem::path path;
  if (profile == Compute::portable) {
    require_x86_64_v3();
    path = module_dir() / "libggml-cpu-x86-64-v3.so";
  } else {
    path = native_module();
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail(ErrorCode::model, std::string("compute profile ") + compute_profile_name(profile) + ": " + path.string() +
                               " is missing (run scripts/build_llama.sh)");
  ggml_backend_reg_t reg = ggml_backend_load(path.c_str());
  if (!reg)
    fail(ErrorCode::model, std::string("compute profile ") + compute_profile_name(profile) +
                               ": llama.cpp cannot load " + path.string() + " on this CPU");
  return reg;
}

// With the lock held: makes profile the loaded one.
void switch_to(State& s, Compute profile) {
  if (s.profile == profile) return;
  if (s.leases > 0)
    fail(ErrorCode::usage, std::string("this process computes with profile ") + compute_profile_name(*s.profile) +
                               " while models are loaded; profile " + compute_profile_name(profile) +
                               " needs them unloaded (or another process)");
  ggml_backend_reg_t reg = load_module(profile);
  if (s.backend) ggml_backend_unload(s.backend);
  s.backend = reg;
  s.profile = profile;
  // The loaded module supplies the CPU features; read them here, under the lock, because
  // llama_print_system_info() rewrites one static string on every call.
  s.system_info = llama_print_system_info();
}

// With the lock held: the profile in use, loading the portable one if none was chosen.
Compute loaded(State& s) {
  if (!s.profile) switch_to(s, Compute::portable);
  return *s.profile;
}

}  // namespace

void use_compute_profile(Compute profile) {
  init_llama_backend();
  std::lock_guard lock(state().mutex);
  switch_to(state(), profile);
}

ActiveCompute active_compute() {
  init_llama_backend();
  std::lock_guard lock(state().mutex);
  return {loaded(state()), state().system_info};
}

void require_compute_profile(const std::string& file_compute, const LoadedModel& model) {
  const Compute need = compute_profile_of(file_compute);
  if (need != model.compute_profile())
    fail(ErrorCode::usage, std::string("this file was coded with compute profile ") + compute_profile_name(need) +
                               ", the model was loaded under " + compute_profile_name(model.compute_profile()) +
                               " (choose the profile with use_compute before loading the model)");
}

ComputeLease::ComputeLease() {
  init_llama_backend();
  std::lock_guard lock(state().mutex);
  profile_ = loaded(state());
  state().leases++;
}

ComputeLease::~ComputeLease() {
  std::lock_guard lock(state().mutex);
  state().leases--;
}

}  // namespace llmz::detail
