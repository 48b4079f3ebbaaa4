#include "store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>

#include "json_util.h"

namespace wsemu {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view to_string(TableSubType sub_type) {
  switch (sub_type) {
    case TableSubType::Classic:
      return "Classic";
    case TableSubType::DataCollectionRuleBased:
      return "DataCollectionRuleBased";
  }
  return "Classic";
}

std::optional<TableSubType> parse_table_sub_type(std::string_view name) {
  if (same_name(name, "Classic")) return TableSubType::Classic;
  if (same_name(name, "DataCollectionRuleBased")) return TableSubType::DataCollectionRuleBased;
  return std::nullopt;
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Store::Store(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open the database " + path + ": " + message);
  }
  if (path != ":memory:") exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=OFF");
  exec("PRAGMA temp_store=MEMORY");
  exec(
      "CREATE TABLE IF NOT EXISTS _wsemu_columns (tbl TEXT NOT NULL, col TEXT NOT NULL, "
      "type TEXT NOT NULL, ord INTEGER NOT NULL, PRIMARY KEY (tbl, col))");
  // Added with table sub-types: a database written before has no such catalog, and its tables
  // get their sub-type from define_table() or settle_sub_types().
  exec("CREATE TABLE IF NOT EXISTS _wsemu_tables (tbl TEXT PRIMARY KEY, sub_type TEXT NOT NULL)");
  load_catalog();
}

Store::~Store() {
  for (auto& [key, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

void Store::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw StoreError("SQLite: " + message + " (in: " + sql + ")");
  }
}

void Store::load_catalog() {
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db_, "SELECT tbl, col, type FROM _wsemu_columns ORDER BY tbl, ord", -1,
                     &statement, nullptr);
  while (sqlite3_step(statement) == SQLITE_ROW) {
    const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    const std::string column = reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
    const auto type =
        parse_table_column_type(reinterpret_cast<const char*>(sqlite3_column_text(statement, 2)));
    tables_[table].columns.push_back({column, type.value_or(ColumnType::String)});
  }
  sqlite3_finalize(statement);
  sqlite3_prepare_v2(db_, "SELECT tbl, sub_type FROM _wsemu_tables", -1, &statement, nullptr);
  while (sqlite3_step(statement) == SQLITE_ROW) {
    const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    tables_[table].sub_type =
        parse_table_sub_type(reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)));
  }
  sqlite3_finalize(statement);
  for (auto& [name, table] : tables_) {
    sqlite3_stmt* count = nullptr;
    const std::string sql = "SELECT COUNT(*) FROM " + quote_identifier(name);
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &count, nullptr) == SQLITE_OK &&
        sqlite3_step(count) == SQLITE_ROW) {
      table.rows = sqlite3_column_int64(count, 0);
    }
    sqlite3_finalize(count);
  }
}

void Store::define_table(const std::string& table, const std::vector<StoredColumn>& columns,
                         std::optional<TableSubType> sub_type) {
  MutexLock lock(mutex_);
  define_table_locked(table, columns, sub_type);
}

void Store::record_sub_type_locked(const std::string& table, TableSubType sub_type) {
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO _wsemu_tables VALUES (?, ?)", -1, &statement,
                     nullptr);
  sqlite3_bind_text(statement, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  const std::string name(to_string(sub_type));
  sqlite3_bind_text(statement, 2, name.c_str(), -1, SQLITE_TRANSIENT);
  const int status = sqlite3_step(statement);
  sqlite3_finalize(statement);
  if (status != SQLITE_DONE) throw StoreError(std::string("SQLite: ") + sqlite3_errmsg(db_));
  tables_[table].sub_type = sub_type;
}

void Store::define_table_locked(const std::string& table, const std::vector<StoredColumn>& columns,
                                std::optional<TableSubType> sub_type) {
  auto [it, created] = tables_.try_emplace(table);
  if (created)
    exec("CREATE TABLE IF NOT EXISTS " + quote_identifier(table) +
         " (_wsemu_seq INTEGER PRIMARY KEY)");
  if (sub_type && !it->second.sub_type) record_sub_type_locked(table, *sub_type);
  auto& known = it->second.columns;
  for (const auto& column : columns) {
    bool present = false;
    for (const auto& k : known) present = present || k.name == column.name;
    if (present) continue;
    exec("ALTER TABLE " + quote_identifier(table) + " ADD COLUMN " + quote_identifier(column.name));
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO _wsemu_columns VALUES (?, ?, ?, ?)", -1,
                       &statement, nullptr);
    sqlite3_bind_text(statement, 1, table.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 2, column.name.c_str(), -1, SQLITE_TRANSIENT);
    const std::string type(to_string(column.type));
    sqlite3_bind_text(statement, 3, type.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(statement, 4, static_cast<sqlite3_int64>(known.size()));
    sqlite3_step(statement);
    sqlite3_finalize(statement);
    known.push_back(column);
  }
}

sqlite3_stmt* Store::insert_statement(const RowBatch& batch) {
  std::string key = batch.table;
  for (const auto& column : batch.columns) key += '\x1f' + column;
  if (auto it = statements_.find(key); it != statements_.end()) return it->second;
  std::string sql = "INSERT INTO " + quote_identifier(batch.table) + " (";
  std::string values;
  for (std::size_t i = 0; i < batch.columns.size(); ++i) {
    sql += (i ? "," : "") + quote_identifier(batch.columns[i]);
    values += i ? ",?" : "?";
  }
  sql += ") VALUES (" + values + ")";
  if (batch.columns.empty())
    sql = "INSERT INTO " + quote_identifier(batch.table) + " DEFAULT VALUES";
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    throw StoreError(std::string("SQLite: ") + sqlite3_errmsg(db_));
  }
  if (statements_.size() > 512) {
    for (auto& [k, s] : statements_) sqlite3_finalize(s);
    statements_.clear();
  }
  statements_.emplace(key, statement);
  return statement;
}

void Store::insert(const std::vector<RowBatch>& batches) {
  MutexLock lock(mutex_);
  insert_locked(batches);
}

std::size_t Store::keep_existing_columns_locked(std::vector<RowBatch>& batches) {
  std::size_t dropped = 0;
  for (auto& batch : batches) {
    auto it = tables_.find(batch.table);
    if (it == tables_.end()) continue;
    const auto& known = it->second.columns;
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < batch.columns.size(); ++i) {
      if (std::any_of(known.begin(), known.end(),
                      [&](const StoredColumn& c) { return c.name == batch.columns[i]; })) {
        keep.push_back(i);
      }
    }
    if (keep.size() == batch.columns.size()) continue;
    std::vector<std::string> columns;
    columns.reserve(keep.size());
    for (const auto i : keep) columns.push_back(batch.columns[i]);
    for (auto& row : batch.rows) {
      std::vector<Cell> kept;
      kept.reserve(keep.size());
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (std::find(keep.begin(), keep.end(), i) != keep.end()) {
          kept.push_back(std::move(row[i]));
        } else if (!std::holds_alternative<std::monostate>(row[i])) {
          ++dropped;
        }
      }
      row = std::move(kept);
    }
    batch.columns = std::move(columns);
  }
  return dropped;
}

std::size_t Store::insert_collected(const std::string& table,
                                    const std::vector<StoredColumn>& columns,
                                    std::vector<RowBatch> batches) {
  MutexLock lock(mutex_);
  auto it = tables_.find(table);
  if (it == tables_.end() || it->second.sub_type != TableSubType::DataCollectionRuleBased) {
    define_table_locked(table, columns, TableSubType::Classic);
    insert_locked(batches);
    return 0;
  }
  const std::size_t dropped = keep_existing_columns_locked(batches);
  insert_locked(batches);
  return dropped;
}

std::size_t Store::insert_existing_columns(std::vector<RowBatch> batches) {
  MutexLock lock(mutex_);
  const std::size_t dropped = keep_existing_columns_locked(batches);
  insert_locked(batches);
  return dropped;
}

std::optional<TableInfo> Store::find_table(std::string_view name) {
  MutexLock lock(mutex_);
  for (const auto& [table, info] : tables_) {
    if (same_name(table, name)) return TableInfo{table, info.sub_type, info.columns, info.rows};
  }
  return std::nullopt;
}

std::vector<TableInfo> Store::tables() {
  MutexLock lock(mutex_);
  std::vector<TableInfo> out;
  for (const auto& [table, info] : tables_) {
    out.push_back(TableInfo{table, info.sub_type, info.columns, info.rows});
  }
  return out;
}

bool Store::set_sub_type(const std::string& table, TableSubType sub_type) {
  MutexLock lock(mutex_);
  if (tables_.find(table) == tables_.end()) return false;
  record_sub_type_locked(table, sub_type);
  return true;
}

void Store::settle_sub_types() {
  MutexLock lock(mutex_);
  for (auto& [name, table] : tables_) {
    if (table.sub_type) continue;
    const bool custom = name.size() > 3 && name.compare(name.size() - 3, 3, "_CL") == 0;
    record_sub_type_locked(name,
                           custom ? TableSubType::Classic : TableSubType::DataCollectionRuleBased);
  }
}

void Store::insert_locked(const std::vector<RowBatch>& batches) {
  exec("BEGIN");
  try {
    for (const auto& batch : batches) {
      sqlite3_stmt* statement = insert_statement(batch);
      for (const auto& row : batch.rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
          const int index = static_cast<int>(i) + 1;
          const Cell& cell = row[i];
          if (const auto* text = std::get_if<std::string>(&cell)) {
            sqlite3_bind_text(statement, index, text->data(), static_cast<int>(text->size()),
                              SQLITE_STATIC);
          } else if (const auto* integer = std::get_if<std::int64_t>(&cell)) {
            sqlite3_bind_int64(statement, index, *integer);
          } else if (const auto* real = std::get_if<double>(&cell)) {
            sqlite3_bind_double(statement, index, *real);
          } else if (const auto* boolean = std::get_if<bool>(&cell)) {
            sqlite3_bind_int(statement, index, *boolean ? 1 : 0);
          } else {
            sqlite3_bind_null(statement, index);
          }
        }
        if (sqlite3_step(statement) != SQLITE_DONE) {
          const std::string message = sqlite3_errmsg(db_);
          sqlite3_reset(statement);
          throw StoreError("SQLite: " + message);
        }
        sqlite3_reset(statement);
      }
      sqlite3_clear_bindings(statement);
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  for (const auto& batch : batches)
    tables_[batch.table].rows += static_cast<std::int64_t>(batch.rows.size());
}

std::vector<std::pair<std::string, std::int64_t>> Store::row_counts() {
  MutexLock lock(mutex_);
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& [name, table] : tables_) out.emplace_back(name, table.rows);
  return out;
}

std::vector<StoredColumn> Store::columns(const std::string& table) {
  MutexLock lock(mutex_);
  auto it = tables_.find(table);
  return it == tables_.end() ? std::vector<StoredColumn>{} : it->second.columns;
}

bool Store::dump_jsonl(const std::string& table, std::size_t limit, std::string& out,
                       std::size_t offset) {
  MutexLock lock(mutex_);
  auto it = tables_.find(table);
  if (it == tables_.end()) return false;
  const auto& columns = it->second.columns;
  if (columns.empty()) return true;
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i)
    sql += (i ? "," : "") + quote_identifier(columns[i].name);
  sql += " FROM " + quote_identifier(table) + " ORDER BY _wsemu_seq";
  if (limit > 0 || offset > 0) sql += " LIMIT " + (limit > 0 ? std::to_string(limit) : "-1");
  if (offset > 0) sql += " OFFSET " + std::to_string(offset);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    throw StoreError(std::string("SQLite: ") + sqlite3_errmsg(db_));
  }
  while (sqlite3_step(statement) == SQLITE_ROW) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int index = static_cast<int>(i);
      const int kind = sqlite3_column_type(statement, index);
      if (kind == SQLITE_NULL) continue;
      write_string(w, columns[i].name);
      switch (columns[i].type) {
        case ColumnType::Boolean:
          w.Bool(sqlite3_column_int(statement, index) != 0);
          break;
        case ColumnType::Int:
        case ColumnType::Long:
          w.Int64(sqlite3_column_int64(statement, index));
          break;
        case ColumnType::Real:
          if (kind == SQLITE_INTEGER) {
            w.Int64(sqlite3_column_int64(statement, index));
          } else {
            w.Double(sqlite3_column_double(statement, index));
          }
          break;
        case ColumnType::Dynamic: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
          w.RawValue(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)),
                     rapidjson::kObjectType);
          break;
        }
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
          write_string(w, std::string_view(text, static_cast<std::size_t>(
                                                     sqlite3_column_bytes(statement, index))));
        }
      }
    }
    w.EndObject();
    out.append(buffer.GetString(), buffer.GetSize());
    out += '\n';
  }
  sqlite3_finalize(statement);
  return true;
}

void Store::clear_all() {
  MutexLock lock(mutex_);
  for (auto& [name, table] : tables_) {
    exec("DELETE FROM " + quote_identifier(name));
    table.rows = 0;
  }
}

bool Store::clear_table(const std::string& table) {
  MutexLock lock(mutex_);
  auto it = tables_.find(table);
  if (it == tables_.end()) return false;
  exec("DELETE FROM " + quote_identifier(table));
  it->second.rows = 0;
  return true;
}

}  // namespace wsemu
