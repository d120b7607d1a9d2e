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

std::string compute_signature() {
  return detail::Evaluator::compute_signature();
}

std::string compute_id() {
  return detail::Evaluator::compute_id();
}

bool compute_known(const std::string& id) {
  return detail::Evaluator::kv_cache_named(id).has_value();
}

}  // namespace llmz
