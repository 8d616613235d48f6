/**
 * A JSON value shown as nested definition lists and tables (arrays of objects become tables):
 * for the capture status and the running configuration, whose shapes the UI does not fix.
 *
 * @module
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function Scalar({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === "") return <span class="sub">—</span>;
  if (typeof value === "boolean") return <span class={value ? "tag ok" : "tag"}>{String(value)}</span>;
  return <span class="mono">{String(value)}</span>;
}

/** A JSON value, readable. */
export function JsonView({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="sub">—</span>;
    if (value.every(isRecord)) {
      const columns = [...new Set(value.flatMap((row) => Object.keys(row)))];
      return (
        <div class="table-wrap">
          <table class="grid">
            <thead>
              <tr>{columns.map((column) => <th key={column} scope="col">{column}</th>)}</tr>
            </thead>
            <tbody>
              {value.map((row) => (
                <tr>
                  {columns.map((column) => (
                    <td>
                      <JsonView value={row[column]} depth={depth + 1} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    return (
      <span class="mono">
        {value.map((item) => typeof item === "object" ? JSON.stringify(item) : String(item)).join(", ")}
      </span>
    );
  }
  if (isRecord(value)) {
    if (depth > 4) return <span class="mono">{JSON.stringify(value)}</span>;
    return (
      <dl class="facts">
        {Object.entries(value).map(([key, item]) => (
          <>
            <dt>{key}</dt>
            <dd>
              <JsonView value={item} depth={depth + 1} />
            </dd>
          </>
        ))}
      </dl>
    );
  }
  return <Scalar value={value} />;
}
