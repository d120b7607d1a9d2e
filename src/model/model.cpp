#include <iterator>
#include <sstream>

#include "common/error.h"
#include "model/compute_profile.h"
#include "model/evaluator.h"
#include "model/loaded_model.h"

namespace llmz {

Model::Model(std::unique_ptr<detail::LoadedModel> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

Model Model::load(const ModelOptions& options) { return Model(std::make_unique<detail::LoadedModel>(options)); }

std::string Model::name() const { return impl_->name(); }
std::string Model::fingerprint() const { return impl_->fingerprint(); }
uint64_t Model::file_size() const { return impl_->file_size(); }
std::vector<AdapterInfo> Model::adapters() const { return impl_->adapters(); }
Compute Model::compute_profile() const { return impl_->compute_profile(); }

detail::LoadedModel& detail::loaded_model(const Model& model) { return *model.impl_; }

std::string compute_signature() { return detail::Evaluator::compute_signature(); }

std::string compute_id() { return detail::Evaluator::compute_id(); }

bool compute_known(const std::string& id) {
  return compute_profile_of(id) == detail::active_compute().profile &&
         detail::Evaluator::kv_cache_named(id).has_value();
}

Compute compute_profile_of(const std::string& id) {
  // "llama.cpp <release> <profile> #<hash>"; without a profile (files from before them): native.
  std::istringstream in(detail::Evaluator::compute_id(id));
  const std::vector<std::string> words{std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
  if (words.size() != 4) return Compute::native;
  if (words[2] == detail::compute_profile_name(Compute::portable)) return Compute::portable;
  fail(ErrorCode::unsupported, "unknown compute profile " + words[2] + " (this build has " +
                                   detail::compute_profile_name(Compute::portable) + " and native)");
}

void use_compute(Compute profile) { detail::use_compute_profile(profile); }

}  // namespace llmz
