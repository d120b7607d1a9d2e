// Short names for the models the set-up script installs, and where to find them.
#pragma once
#include <string>
#include <vector>

namespace llmz::cli {

struct KnownModel {
  std::string name, file, description;
};

const std::vector<KnownModel>& known_models();
// The default model's short name: $LLMZ_MODEL, else "smollm2".
std::string default_model();
// A path as given, or a known name resolved in the models folder ($LLMZ_MODELS_DIR, else the
// folder the set-up script fills).
std::string resolve_model(const std::string& name_or_path);

}  // namespace llmz::cli
