// One record of an archive (docs/FORMAT.md, "Archives"): the JSON object's other fields, its prompt
// (coded, or only its hash), its response coded with the prompt as context, and a checksum. Entries
// carry no model identity: the archive's head holds it once for all of them.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "coding/container.h"
#include "llmz/archive.h"

namespace llmz::archive::detail {

// What the head of an archive says about every entry.
struct Head {
  Header model;  // identity and adapters (no coding fields)
  std::string prompt_field, response_field;
  bool stored_prompts = true;
  bool sliding_window = true;  // how the entries' windows carry their overlap
  uint8_t mixing = 0;          // MixParts the entries were coded with
};

// The record with its two fields taken out, as JSON text; the fields themselves.
struct Fields {
  std::string skeleton;  // empty: the object holds only the two fields, in the head's order
  std::string prompt, response;
};

// Splits a JSON line into its fields; fails (ErrorCode::usage) with `where` in front of the reason.
Fields split_record(const std::string& json_line, const PackOptions& options, const std::string& where);
std::string join_record(const Fields& fields, const Head& head);

std::vector<uint8_t> encode_entry(const Model& model, const Fields& fields, const PackOptions& options);
// Decodes record number `number` (from 1, for messages). prompt: needed when the head has no stored prompts.
Fields decode_entry(const Model& model, const Head& head, std::span<const uint8_t> entry, uint64_t number,
                    const std::string& prompt);
// Fails (ErrorCode::corrupt, naming record `number`) unless the entry's checksum holds.
void check_entry(std::span<const uint8_t> entry, uint64_t number);

}  // namespace llmz::archive::detail
