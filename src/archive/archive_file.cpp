// The .llmza file (docs/FORMAT.md, "Archives"): a head frame, the entries back to back, an index of
// their sizes, and a fixed footer that says where the index starts, so a reader seeks to one entry.
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "archive/entry.h"
#include "coding/container_fields.h"
#include "coding/frame.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/temp_file.h"
#include "lossless/coded.h"

namespace llmz::archive {

namespace {

constexpr std::array<uint8_t, 4> kArchiveMagic = {'L', 'Z', 'A', 'R'};
constexpr std::array<uint8_t, 4> kFooterMagic = {'L', 'Z', 'A', 'E'};
constexpr size_t kFooterSize = 12;        // u64 index offset, then the footer magic
constexpr size_t kMaxHeadSize = 1 << 16;  // a frame's strings and records are bounded well below this
constexpr uint8_t kStoredPrompts = 1, kSlidingWindow = 2, kMixing = 4;  // archive record flags
constexpr RecordType kKnownRecords[] = {RecordType::archive, RecordType::adapters};

std::vector<uint8_t> write_head(const detail::Head& head) {
  Frame f;
  f.magic = kArchiveMagic;
  const Header& m = head.model;
  f.model = llmz::detail::identity_of(m);
  ByteWriter a;
  a.u8((head.stored_prompts ? kStoredPrompts : 0) | (head.sliding_window ? kSlidingWindow : 0) |
       (head.mixing ? kMixing : 0));
  a.string(head.prompt_field);
  a.string(head.response_field);
  if (head.mixing) llmz::detail::write_mixing(a, head.mixing);
  f.records.push_back({RecordType::archive, true, std::move(a.data())});
  if (!m.adapters.empty()) {
    ByteWriter w;
    llmz::detail::write_adapters(w, m.adapters);
    f.records.push_back({RecordType::adapters, true, std::move(w.data())});
  }
  return write_frame(f);
}

detail::Head read_head(std::span<const uint8_t> bytes, size_t& offset) {
  if (bytes.size() < 5 || !std::equal(kArchiveMagic.begin(), kArchiveMagic.end(), bytes.begin()))
    fail(ErrorCode::corrupt, "not an llmz archive (bad magic)");
  if (bytes[4] != kFrameVersion)
    fail(bytes[4] > kFrameVersion ? ErrorCode::unsupported : ErrorCode::corrupt,
         "unsupported llmz archive version " + std::to_string(bytes[4]) + " (this build reads version " +
             std::to_string(kFrameVersion) + ")");
  const Frame f = read_frame(bytes, kArchiveMagic, kKnownRecords, offset);
  detail::Head head;
  llmz::detail::set_identity(head.model, f.model);
  const Record* a = f.find(RecordType::archive);
  if (!a) fail(ErrorCode::corrupt, "archive is damaged (no archive record)");
  RecordReader r(*a);
  const uint8_t flags = r.u8();
  if (flags & ~(kStoredPrompts | kSlidingWindow | kMixing))
    fail(ErrorCode::unsupported, "unknown archive flags (made by a newer llmz?)");
  head.stored_prompts = flags & kStoredPrompts;
  head.sliding_window = flags & kSlidingWindow;
  head.prompt_field = r.string(256);
  head.response_field = r.string(256);
  if (flags & kMixing) head.mixing = llmz::detail::read_mixing(r);
  r.finish();
  if (const Record* ad = f.find(RecordType::adapters)) {
    RecordReader ar(*ad);
    head.model.adapters = llmz::detail::read_adapters(ar);
    ar.finish();
  }
  return head;
}

detail::Head head_of(const Model& model, const PackOptions& o) {
  if (o.prompt_field == o.response_field) fail(ErrorCode::usage, "the prompt and response fields must differ");
  if (o.prompt_field.empty() || o.response_field.empty()) fail(ErrorCode::usage, "field names must not be empty");
  return {llmz::detail::model_header(model), o.prompt_field, o.response_field, o.store_prompts,
          o.coding.sliding_window,           o.coding.mixing};
}

std::vector<uint8_t> read_at(std::ifstream& in, uint64_t offset, uint64_t size, const std::string& path) {
  std::vector<uint8_t> bytes(size);
  in.clear();
  in.seekg(std::streamoff(offset));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)))
    fail(ErrorCode::corrupt, path + ": archive is truncated");
  return bytes;
}

}  // namespace

struct Writer::State {
  TempFile out;
  std::vector<uint8_t> head;
  std::vector<uint64_t> sizes;
};

Writer::Writer(const std::string& path, const Model& model, const PackOptions& options, bool overwrite)
    : state_(new State{TempFile(path, overwrite), write_head(head_of(model, options)), {}}) {
  state_->out.write(state_->head);
}

Writer::~Writer() = default;

void Writer::add(std::span<const uint8_t> entry) {
  detail::check_entry(entry, state_->sizes.size() + 1);
  state_->out.write(entry);
  state_->sizes.push_back(entry.size());
}

uint64_t Writer::records() const { return state_->sizes.size(); }

void Writer::finish() {
  State& s = *state_;
  uint64_t offset = s.head.size();
  for (uint64_t n : s.sizes) offset += n;
  ByteWriter index;
  index.varint(s.sizes.size());
  for (uint64_t n : s.sizes) index.varint(n);
  index.u32(uint32_t(XXH3_64bits(index.data().data(), index.data().size())));
  index.u64(offset);
  index.bytes(kFooterMagic);
  s.out.write(index.data());
  s.out.commit();
}

struct Reader::State {
  std::string path;
  mutable std::ifstream in;
  detail::Head head;
  ArchiveInfo info;
  std::vector<uint64_t> offsets;  // of each entry, and one past the last
};

Reader::Reader(const std::string& path) : state_(new State{path, std::ifstream(path, std::ios::binary), {}, {}, {}}) {
  State& s = *state_;
  if (!s.in) fail(ErrorCode::io, path + ": cannot read the archive");
  s.in.seekg(0, std::ios::end);
  const uint64_t size = uint64_t(s.in.tellg());
  if (size < 5 + kFooterSize) fail(ErrorCode::corrupt, path + ": not an llmz archive (too short)");
  size_t head_size = 0;
  try {
    s.head = read_head(read_at(s.in, 0, std::min<uint64_t>(size, kMaxHeadSize), path), head_size);
  } catch (const Error& e) {
    fail(e.code(), path + ": " + e.what());
  }
  const auto footer_bytes = read_at(s.in, size - kFooterSize, kFooterSize, path);
  ByteReader footer(footer_bytes);
  const uint64_t index_offset = footer.u64();
  const auto magic = footer.bytes(4);
  if (!std::equal(magic.begin(), magic.end(), kFooterMagic.begin()) || index_offset < head_size ||
      index_offset > size - kFooterSize)
    fail(ErrorCode::corrupt, path + ": archive is truncated or damaged (no index at its end)");
  const auto index_bytes = read_at(s.in, index_offset, size - kFooterSize - index_offset, path);
  ByteReader index(index_bytes);
  const uint64_t n = index.varint();
  if (n > index_bytes.size()) fail(ErrorCode::corrupt, path + ": archive index is damaged");
  s.offsets.push_back(head_size);
  for (uint64_t i = 0; i < n; i++) s.offsets.push_back(s.offsets.back() + index.varint());
  const size_t checked = index.position();
  if (index.u32() != uint32_t(XXH3_64bits(index_bytes.data(), checked)) || index.remaining() != 0 ||
      s.offsets.back() != index_offset)
    fail(ErrorCode::corrupt, path + ": archive index is damaged");

  const Header& m = s.head.model;
  s.info = {.format_version = kFrameVersion,
            .model_name = m.model_name,
            .model_fingerprint = to_hex(m.model_fingerprint),
            .compute = m.compute,
            .compute_profile = compute_profile_of(m.compute),
            .adapters = {},
            .prompt_field = s.head.prompt_field,
            .response_field = s.head.response_field,
            .stored_prompts = s.head.stored_prompts,
            .records = n,
            .file_size = size,
            .entry_bytes = index_offset - head_size};
  for (const auto& a : m.adapters) s.info.adapters.push_back({a.name, to_hex(a.fingerprint), a.scale});
}

Reader::~Reader() = default;

const ArchiveInfo& Reader::info() const { return state_->info; }

uint64_t Reader::size() const { return state_->info.records; }

std::vector<uint8_t> Reader::entry(uint64_t i) const {
  const State& s = *state_;
  if (i >= s.info.records)
    fail(ErrorCode::usage, "record " + std::to_string(i + 1) + " is past the end (the archive holds " +
                               std::to_string(s.info.records) + ")");
  auto bytes = read_at(s.in, s.offsets[i], s.offsets[i + 1] - s.offsets[i], s.path);
  detail::check_entry(bytes, i + 1);
  return bytes;
}

std::string Reader::record(const Model& model, uint64_t i, const std::string& prompt) const {
  return detail::join_record(detail::decode_entry(model, state_->head, entry(i), i + 1, prompt), state_->head);
}

void merge(const std::vector<std::string>& inputs, const std::string& out_path, bool overwrite) {
  if (inputs.empty()) fail(ErrorCode::usage, "nothing to merge");
  std::vector<std::unique_ptr<Reader>> readers;
  std::vector<uint8_t> head;
  for (const auto& path : inputs) {
    readers.push_back(std::make_unique<Reader>(path));
    const auto& s = *readers.back()->state_;
    auto this_head = read_at(s.in, 0, s.offsets.front(), path);
    if (head.empty()) head = this_head;
    if (this_head != head)
      fail(ErrorCode::usage, path + ": made with another model, compute profile or options than " + inputs.front());
  }
  Writer w;
  w.state_.reset(new Writer::State{TempFile(out_path, overwrite), head, {}});
  w.state_->out.write(head);
  for (size_t k = 0; k < readers.size(); k++)
    for (uint64_t i = 0; i < readers[k]->size(); i++) w.add(readers[k]->entry(i));
  w.finish();
}

}  // namespace llmz::archive
