// The _llmz extension module: the public C++ API (include/llmz/llmz.h, archive.h) for Python. Long
// calls release the GIL, so Python threads (and Ray's) run beside them. Every llmz::Error becomes
// llmz.Error with the exit code as .code.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "llmz/archive.h"
#include "llmz/llmz.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

nb::bytes to_bytes(const std::vector<uint8_t>& v) {
  return nb::bytes(reinterpret_cast<const char*>(v.data()), v.size());
}

std::span<const uint8_t> span_of(const nb::bytes& b) { return {reinterpret_cast<const uint8_t*>(b.c_str()), b.size()}; }

llmz::Compute compute_named(const std::string& name) {
  if (name == "portable") return llmz::Compute::portable;
  if (name == "native") return llmz::Compute::native;
  throw llmz::Error(llmz::ErrorCode::usage, "compute is 'portable' or 'native', not '" + name + "'");
}

const char* compute_name(llmz::Compute c) { return c == llmz::Compute::portable ? "portable" : "native"; }

llmz::CompressOptions coding(const std::string& context, uint32_t window, uint32_t overlap, uint32_t streams,
                             const std::string& mix) {
  llmz::CompressOptions o;
  o.mixing = llmz::parse_mixing(mix);
  o.context = context;
  o.window_tokens = window;
  o.window_overlap = overlap;
  o.streams = streams;
  return o;
}

llmz::archive::PackOptions pack_options(const std::string& prompt_field, const std::string& response_field,
                                        bool store_prompts, uint64_t max_record_bytes, uint32_t window,
                                        uint32_t overlap, uint32_t jobs) {
  llmz::archive::PackOptions o;
  o.prompt_field = prompt_field;
  o.response_field = response_field;
  o.store_prompts = store_prompts;
  o.max_record_bytes = max_record_bytes;
  o.coding.window_tokens = window;
  o.coding.window_overlap = overlap;
  o.jobs = jobs;
  return o;
}

// What files and archives both say about themselves: format and model.
template <typename Info>
nb::dict identity_dict(const Info& i) {
  nb::dict d;
  d["format_version"] = i.format_version;
  d["model_name"] = i.model_name;
  d["model_fingerprint"] = i.model_fingerprint;
  d["compute"] = i.compute;
  d["compute_profile"] = compute_name(i.compute_profile);
  return d;
}

nb::dict file_info(const llmz::FileInfo& i) {
  nb::dict d = identity_dict(i);
  d["original_size"] = i.original_size;
  d["file_size"] = i.file_size;
  d["header_size"] = i.header_size;
  d["has_context"] = i.has_context;
  d["window_tokens"] = i.window_tokens;
  d["window_overlap"] = i.window_overlap;
  d["mixing"] = llmz::mixing_names(i.mixing);
  d["llm_chunks"] = i.llm_chunks;
  d["zstd_chunks"] = i.zstd_chunks;
  d["stored_chunks"] = i.stored_chunks;
  d["llm_tokens"] = i.llm_tokens;
  d["lossy"] = i.lossy;
  nb::list adapters;
  for (const auto& a : i.adapters) adapters.append(nb::make_tuple(a.name, a.fingerprint, a.scale));
  d["adapters"] = adapters;
  return d;
}

nb::dict archive_info(const llmz::archive::ArchiveInfo& i) {
  nb::dict d = identity_dict(i);
  d["prompt_field"] = i.prompt_field;
  d["response_field"] = i.response_field;
  d["stored_prompts"] = i.stored_prompts;
  d["records"] = i.records;
  d["file_size"] = i.file_size;
  d["entry_bytes"] = i.entry_bytes;
  return d;
}

}  // namespace

NB_MODULE(_llmz, m) {
  m.doc() = "llmz: lossless compression with a language model (the C++ library's public API)";

  static nb::object error_type = nb::module_::import_("llmz._errors").attr("Error");
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const llmz::Error& e) {
      nb::object err = error_type(e.what(), int(e.code()));
      PyErr_SetObject(error_type.ptr(), err.ptr());
    }
  });

  m.def(
      "use_compute", [](const std::string& name) { llmz::use_compute(compute_named(name)); }, "profile"_a,
      "Choose the compute profile ('portable' or 'native') before models load.");
  m.def("compute_id", &llmz::compute_id, "This process's compute id (files record it).");

  nb::class_<llmz::Model>(m, "Model")
      .def(
          "__init__",
          [](llmz::Model* self, const std::string& path, int threads) {
            nb::gil_scoped_release release;
            new (self) llmz::Model(llmz::Model::load({path, threads, {}}));
          },
          "path"_a, "threads"_a = 0, "Load a GGUF model (threads 0: chosen per call, as the CLI's auto).")
      .def_prop_ro("name", &llmz::Model::name)
      .def_prop_ro("fingerprint", &llmz::Model::fingerprint)
      .def_prop_ro("compute_profile", [](const llmz::Model& model) { return compute_name(model.compute_profile()); });

  m.def(
      "compress",
      [](const llmz::Model& model, const nb::bytes& data, const std::string& context, uint32_t window, uint32_t overlap,
         uint32_t streams, const std::string& mix) {
        const llmz::CompressOptions options = coding(context, window, overlap, streams, mix);
        std::vector<uint8_t> out;
        {
          nb::gil_scoped_release release;
          out = llmz::compress(model, span_of(data), options);
        }
        return to_bytes(out);
      },
      "model"_a, "data"_a, "context"_a = "", "window"_a = 2048, "overlap"_a = 512, "streams"_a = 16, "mix"_a = "all",
      "Compress bytes; context: text both ends know (e.g. the prompt); mix: the models mixed with the LLM "
      "(\"match,ngram,calibrate\", \"all\" or \"none\").");
  m.def(
      "decompress",
      [](const llmz::Model& model, const nb::bytes& file, const std::string& context) {
        std::vector<uint8_t> out;
        {
          nb::gil_scoped_release release;
          out = llmz::decompress(model, span_of(file), {.context = context});
        }
        return to_bytes(out);
      },
      "model"_a, "file"_a, "context"_a = "", "Decompress a .llmz file's bytes (with the same context).");
  m.def(
      "inspect", [](const nb::bytes& file) { return file_info(llmz::inspect(span_of(file))); }, "file"_a,
      "What a .llmz file records about itself (no model needed).");

  m.def(
      "code_record",
      [](const llmz::Model& model, const std::string& line, const std::string& prompt_field,
         const std::string& response_field, bool store_prompts, uint64_t max_record_bytes, uint32_t window,
         uint32_t overlap) {
        std::vector<uint8_t> entry;
        {
          nb::gil_scoped_release release;
          entry = llmz::archive::code_record(
              model, line,
              pack_options(prompt_field, response_field, store_prompts, max_record_bytes, window, overlap, 1));
        }
        return to_bytes(entry);
      },
      "model"_a, "json_line"_a, "prompt_field"_a = "prompt", "response_field"_a = "response", "store_prompts"_a = true,
      "max_record_bytes"_a = uint64_t(1) << 20, "window"_a = 2048, "overlap"_a = 512,
      "One JSON record coded into an archive entry (the same bytes whoever codes it).");
  m.def(
      "pack",
      [](const llmz::Model& model, const std::string& records, const std::string& out, const std::string& prompt_field,
         const std::string& response_field, bool store_prompts, uint64_t max_record_bytes, uint32_t window,
         uint32_t overlap, uint32_t jobs) {
        nb::gil_scoped_release release;
        llmz::archive::pack(
            model, records, out,
            pack_options(prompt_field, response_field, store_prompts, max_record_bytes, window, overlap, jobs));
      },
      "model"_a, "records"_a, "out"_a, "prompt_field"_a = "prompt", "response_field"_a = "response",
      "store_prompts"_a = true, "max_record_bytes"_a = uint64_t(1) << 20, "window"_a = 2048, "overlap"_a = 512,
      "jobs"_a = 1, "Pack a JSON Lines file into a record archive.");
  m.def(
      "merge",
      [](const std::vector<std::string>& inputs, const std::string& out, bool overwrite) {
        nb::gil_scoped_release release;
        llmz::archive::merge(inputs, out, overwrite);
      },
      "inputs"_a, "out"_a, "overwrite"_a = false, "Join archives (shards, in order) into one.");

  nb::class_<llmz::archive::Writer>(m, "ArchiveWriter")
      .def(
          "__init__",
          [](llmz::archive::Writer* self, const std::string& path, const llmz::Model& model,
             const std::string& prompt_field, const std::string& response_field, bool store_prompts, uint32_t window,
             uint32_t overlap, bool overwrite) {
            new (self) llmz::archive::Writer(
                path, model,
                pack_options(prompt_field, response_field, store_prompts, uint64_t(1) << 20, window, overlap, 1),
                overwrite);
          },
          "path"_a, "model"_a, "prompt_field"_a = "prompt", "response_field"_a = "response", "store_prompts"_a = true,
          "window"_a = 2048, "overlap"_a = 512, "overwrite"_a = false,
          "An archive written entry by entry; it appears at `path` only at finish().")
      .def(
          "add", [](llmz::archive::Writer& w, const nb::bytes& entry) { w.add(span_of(entry)); }, "entry"_a)
      .def("finish", &llmz::archive::Writer::finish)
      .def_prop_ro("records", &llmz::archive::Writer::records);

  nb::class_<llmz::archive::Reader>(m, "ArchiveReader")
      .def(nb::init<const std::string&>(), "path"_a, "Open an archive: reads its head and index only.")
      .def("__len__", &llmz::archive::Reader::size)
      .def_prop_ro("info", [](const llmz::archive::Reader& r) { return archive_info(r.info()); })
      .def(
          "record",
          [](const llmz::archive::Reader& r, const llmz::Model& model, uint64_t i, const std::string& prompt) {
            nb::gil_scoped_release release;
            return r.record(model, i, prompt);
          },
          "model"_a, "index"_a, "prompt"_a = "", "Record `index` (from 0) as a JSON line.")
      .def(
          "entry", [](const llmz::archive::Reader& r, uint64_t i) { return to_bytes(r.entry(i)); }, "index"_a,
          "Record `index`'s entry bytes, checked.");
}
