// The workspace's tables, kept in SQLite: one SQL table per Log Analytics
// table, one column per table column, with the column types remembered so
// that rows can be dumped back as typed JSON, and each table's sub-type
// (Classic or DataCollectionRuleBased) kept in a catalog beside them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "column_types.h"
#include "thread_annotations.h"

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

/// A table's kind as the Tables API names it (schema.tableSubType): Classic for a table the
/// Data Collector API created, DataCollectionRuleBased for one the Tables API or a data
/// collection rule created, or a classic table after Tables - Migrate.
enum class TableSubType { Classic, DataCollectionRuleBased };
std::string_view to_string(TableSubType sub_type);
/// "Classic" or "DataCollectionRuleBased", case-insensitively.
std::optional<TableSubType> parse_table_sub_type(std::string_view name);

/// What the store knows of one table.
struct TableInfo {
  std::string name;
  /// Unknown only for a table of a database written before sub-types were kept, until
  /// define_table() or settle_sub_types() gives it one.
  std::optional<TableSubType> sub_type;
  std::vector<StoredColumn> columns;
  std::int64_t rows = 0;
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
  /// it was first given. `sub_type` is recorded when the table is created or its
  /// sub-type is unknown; a known sub-type is kept (migration is one-way).
  void define_table(const std::string& table, const std::vector<StoredColumn>& columns,
                    std::optional<TableSubType> sub_type = std::nullopt);

  /// Inserts every batch in one transaction: all rows or none.
  void insert(const std::vector<RowBatch>& batches);

  /// Inserts rows as the Data Collector API does, in one step: a missing table is created
  /// Classic with `columns`; a Classic table gains the columns it lacks; a
  /// DataCollectionRuleBased table gains none, and values for columns it lacks are dropped
  /// (REFERENCE §9.3). Returns the number of values dropped.
  std::size_t insert_collected(const std::string& table, const std::vector<StoredColumn>& columns,
                               std::vector<RowBatch> batches);

  /// Inserts the batches keeping only the columns each table has (values for others are
  /// dropped, as a data collection rule drops what its output table lacks). Returns the
  /// number of values dropped.
  std::size_t insert_existing_columns(std::vector<RowBatch> batches);

  /// The table named `name`, compared without regard to case as Log Analytics does.
  std::optional<TableInfo> find_table(std::string_view name);

  /// Every table, by name.
  std::vector<TableInfo> tables();

  /// Records a table's sub-type (Tables - Migrate); false when there is no such table.
  bool set_sub_type(const std::string& table, TableSubType sub_type);

  /// Gives every table whose sub-type is unknown (from an older database) one: Classic for a
  /// name ending in _CL (only the Data Collector API created those without a rule),
  /// DataCollectionRuleBased for the others.
  void settle_sub_types();

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
    std::optional<TableSubType> sub_type;
  };

  // The constructor calls exec and load_catalog too, before any other thread can.
  void exec(const std::string& sql) REQUIRES(mutex_);
  void load_catalog() REQUIRES(mutex_);
  void define_table_locked(const std::string& table, const std::vector<StoredColumn>& columns,
                           std::optional<TableSubType> sub_type) REQUIRES(mutex_);
  void record_sub_type_locked(const std::string& table, TableSubType sub_type) REQUIRES(mutex_);
  void insert_locked(const std::vector<RowBatch>& batches) REQUIRES(mutex_);
  /// Drops from each batch the columns its table lacks; returns the number of values dropped.
  std::size_t keep_existing_columns_locked(std::vector<RowBatch>& batches) REQUIRES(mutex_);
  sqlite3_stmt* insert_statement(const RowBatch& batch) REQUIRES(mutex_);

  Mutex mutex_;
  sqlite3* db_ GUARDED_BY(mutex_) = nullptr;
  std::map<std::string, Table> tables_ GUARDED_BY(mutex_);
  std::map<std::string, sqlite3_stmt*> statements_ GUARDED_BY(mutex_);
};

/// A table or column name as a quoted SQL identifier.
std::string quote_identifier(const std::string& name);

}  // namespace wsemu
