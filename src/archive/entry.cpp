#include "archive/entry.h"

#include <xxhash.h>

#include <nlohmann/json.hpp>

#include "coding/container_fields.h"
#include "common/bytes.h"
#include "common/error.h"
#include "lossless/coded.h"

namespace llmz::archive::detail {

namespace {

using Json = nlohmann::ordered_json;  // keeps the record's field order

constexpr uint8_t kStoredPrompt = 1, kPromptHash = 0;

std::string default_skeleton(const std::string& prompt_field, const std::string& response_field) {
  return Json{{prompt_field, nullptr}, {response_field, nullptr}}.dump();
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

uint64_t hash_of(const std::string& s) { return XXH3_64bits(s.data(), s.size()); }

// A coded text without the model identity (the head has it): the lossless record's body, then the
// payloads of its chunks.
void write_part(ByteWriter& w, const llmz::detail::Coded& coded) {
  llmz::detail::write_lossless(w, coded.header);
  for (const auto& p : coded.payloads) w.bytes(p);
}

std::string read_part(ByteReader& r, const Model& model, const Head& head, size_t entry_size,
                      const std::string& context) {
  Header h = head.model;
  h.sliding_window = head.sliding_window;
  h.mixing = head.mixing;
  llmz::detail::read_lossless(r, h, entry_size);
  llmz::detail::check_header(h);
  std::vector<std::span<const uint8_t>> payloads;
  for (const auto& c : h.chunks) payloads.push_back(r.bytes(c.payload_size));
  const auto out = llmz::detail::decompress_parts(model, h, payloads, {.context = context, .streams = 1});
  return {out.begin(), out.end()};
}

}  // namespace

Fields split_record(const std::string& line, const PackOptions& o, const std::string& where) {
  if (line.size() > o.max_record_bytes)
    fail(ErrorCode::usage, where + "the record is " + std::to_string(line.size()) + " bytes, over the limit of " +
                               std::to_string(o.max_record_bytes) + " (--max-record-bytes)");
  Json j;
  try {
    j = Json::parse(line);
  } catch (const Json::exception& e) {
    fail(ErrorCode::usage, where + "not JSON (" + std::string(e.what()).substr(0, 200) + ")");
  }
  if (!j.is_object()) fail(ErrorCode::usage, where + "not a JSON object");
  Fields f;
  for (const auto* field : {&o.prompt_field, &o.response_field}) {
    const auto it = j.find(*field);
    if (it == j.end()) fail(ErrorCode::usage, where + "no field \"" + *field + "\"");
    if (!it->is_string()) fail(ErrorCode::usage, where + "field \"" + *field + "\" is not a string");
    (field == &o.prompt_field ? f.prompt : f.response) = it->get<std::string>();
    *it = nullptr;
  }
  f.skeleton = j.dump();
  if (f.skeleton == default_skeleton(o.prompt_field, o.response_field)) f.skeleton.clear();
  return f;
}

std::string join_record(const Fields& f, const Head& head) {
  Json j = Json::parse(f.skeleton.empty() ? default_skeleton(head.prompt_field, head.response_field) : f.skeleton);
  j[head.prompt_field] = f.prompt;
  j[head.response_field] = f.response;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::vector<uint8_t> encode_entry(const Model& model, const Fields& f, const PackOptions& o) {
  ByteWriter w;
  w.string(f.skeleton);
  CompressOptions coding = o.coding;
  coding.progress = {};
  coding.context.clear();
  if (o.store_prompts) {
    w.u8(kStoredPrompt);
    write_part(w, llmz::detail::compress_coded(model, bytes_of(f.prompt), coding));
  } else {
    w.u8(kPromptHash);
    w.u64(hash_of(f.prompt));
  }
  coding.context = f.prompt;
  write_part(w, llmz::detail::compress_coded(model, bytes_of(f.response), coding));
  w.u32(uint32_t(XXH3_64bits(w.data().data(), w.data().size())));
  return std::move(w.data());
}

void check_entry(std::span<const uint8_t> entry, uint64_t number) {
  if (entry.size() < 4) fail(ErrorCode::corrupt, "record " + std::to_string(number) + " is damaged (truncated)");
  ByteReader tail(entry.subspan(entry.size() - 4));
  if (tail.u32() != uint32_t(XXH3_64bits(entry.data(), entry.size() - 4)))
    fail(ErrorCode::corrupt, "record " + std::to_string(number) + " is damaged (checksum mismatch)");
}

Fields decode_entry(const Model& model, const Head& head, std::span<const uint8_t> entry, uint64_t number,
                    const std::string& prompt) {
  check_entry(entry, number);
  const std::string where = "record " + std::to_string(number) + ": ";
  try {
    ByteReader r(entry.subspan(0, entry.size() - 4));
    Fields f;
    f.skeleton = r.string(entry.size());
    const uint8_t kind = r.u8();
    if (kind != (head.stored_prompts ? kStoredPrompt : kPromptHash)) fail(ErrorCode::corrupt, "damaged (prompt kind)");
    if (head.stored_prompts) {
      f.prompt = read_part(r, model, head, entry.size(), "");
    } else {
      if (r.u64() != hash_of(prompt))
        fail(ErrorCode::usage, prompt.empty() ? "the archive does not store prompts: give the record's prompt"
                                              : "the prompt given is not the one the record was coded with");
      f.prompt = prompt;
    }
    f.response = read_part(r, model, head, entry.size(), f.prompt);
    if (r.remaining() != 0) fail(ErrorCode::corrupt, "damaged (bytes after the response)");
    return f;
  } catch (const Error& e) {
    fail(e.code(), where + e.what());
  }
}

}  // namespace llmz::archive::detail
