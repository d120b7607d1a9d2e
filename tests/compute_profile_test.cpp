// Compute profiles in one process: which profile a file names, switching between them while no model
// is loaded, and the errors for the wrong one, a loaded model in the way, and a missing module. Its own
// test process: the other suites keep models loaded, which pins the profile.
#include <gtest/gtest.h>

#include <cstdlib>

#include "llmz/llmz.h"
#include "test_models.h"

namespace llmz {
namespace {

TEST(ComputeProfile, NamedByTheComputeId) {
  EXPECT_EQ(compute_profile_of("llama.cpp v0.4.0 x86-64-v3 #93c0979bb2f8cad9"), Compute::portable);
  EXPECT_EQ(compute_profile_of("llama.cpp v0.4.0 #1775103fd2d1e1ad"), Compute::native);
  // Files from before compute ids held the whole signature: native.
  EXPECT_EQ(compute_profile_of("llama.cpp v0.4.0; cpu SSE3 AVX2; fa on; kv f16 per-seq; ubatch 32; no repack"),
            Compute::native);
  EXPECT_EQ(test::error_of([] { compute_profile_of("llama.cpp v0.4.0 reference #0123456789abcdef"); }),
            ErrorCode::unsupported);
}

TEST(ComputeProfile, FilesNameTheirProfileAndNeedIt) {
  const std::vector<uint8_t> input = test::bytes_of("The river ran under winter ice, and the queen said nothing.\n");
  std::vector<uint8_t> native_file, portable_file;
  use_compute(Compute::native);
  {
    const Model model = Model::load({test::tiny_model_path(), 1});
    native_file = compress(model, input, {.always_model = true});
    EXPECT_EQ(decompress(model, native_file, {}), input);
    // The profile cannot change under a loaded model.
    EXPECT_EQ(test::error_of([] { use_compute(Compute::portable); }), ErrorCode::usage);
  }
  EXPECT_EQ(inspect(native_file).compute_profile, Compute::native);
  use_compute(Compute::portable);
  const Model model = Model::load({test::tiny_model_path(), 1});
  portable_file = compress(model, input, {.always_model = true});
  EXPECT_EQ(inspect(portable_file).compute_profile, Compute::portable);
  EXPECT_NE(inspect(portable_file).compute, inspect(native_file).compute);
  EXPECT_EQ(decompress(model, portable_file, {}), input);
  // A file of the other profile is refused before anything is evaluated.
  EXPECT_EQ(test::error_of([&] { decompress(model, native_file, {}); }), ErrorCode::usage);
}

TEST(ComputeProfile, MissingModuleIsAModelError) {
  use_compute(Compute::portable);
  setenv("LLMZ_CPU_MODULE_DIR", "/nonexistent", 1);
  EXPECT_EQ(test::error_of([] { use_compute(Compute::native); }), ErrorCode::model);
  unsetenv("LLMZ_CPU_MODULE_DIR");
  use_compute(Compute::native);  // and the process goes on with the real folder
  use_compute(Compute::portable);
}

}  // namespace
}  // namespace llmz
