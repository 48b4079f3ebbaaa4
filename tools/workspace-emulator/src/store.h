// The workspace's tables, kept in SQLite: one SQL table per Log Analytics
// table, one column per table column, with the column types remembered so
// that rows can be dumped back as typed JSON.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "column_types.h"

struct sqlite3;
struct sqlite3_stmt;

namespace wsemu {

struct StoredColumn {
  std::string name;
  ColumnType type = ColumnType::String;
};

/// One cell: null, text (strings, date-times, and dynamic values as JSON
/// text), integer, real or boolean.
using Cell = std::variant<std::monostate, std::string, std::int64_t, double, bool>;

/// Rows for one table that share one list of columns.
struct RowBatch {
  std::string table;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  /// Opens (or creates) the database; ":memory:" keeps everything in memory.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Creates the table, or adds the columns it lacks. A column keeps the type
  /// it was first given.
  void define_table(const std::string& table, const std::vector<StoredColumn>& columns);

  /// Inserts every batch in one transaction: all rows or none.
  void insert(const std::vector<RowBatch>& batches);

  /// Tables and their row counts, by name.
  std::vector<std::pair<std::string, std::int64_t>> row_counts();

  /// Appends the table's rows as JSON Lines (null cells left out), oldest
  /// first, at most `limit` rows (0 = all) after the first `offset`. False when there is no
  /// such table.
  bool dump_jsonl(const std::string& table, std::size_t limit, std::string& out,
                  std::size_t offset = 0);

  /// The columns of a table (empty when unknown).
  std::vector<StoredColumn> columns(const std::string& table);

  /// Deletes every row of every table (tables and columns stay).
  void clear_all();
  /// Deletes the rows of one table; false when unknown.
  bool clear_table(const std::string& table);

 private:
  struct Table {
    std::vector<StoredColumn> columns;
    std::int64_t rows = 0;
  };

  void exec(const std::string& sql);
  void load_catalog();
  void define_table_locked(const std::string& table, const std::vector<StoredColumn>& columns);
  sqlite3_stmt* insert_statement(const RowBatch& batch);

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::map<std::string, Table> tables_;
  std::map<std::string, sqlite3_stmt*> statements_;
};

/// A table or column name as a quoted SQL identifier.
std::string quote_identifier(const std::string& name);

}  // namespace wsemu
