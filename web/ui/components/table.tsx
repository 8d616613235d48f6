/**
 * Pieces of the list pages, all plain links and GET forms (they work without JavaScript): a column
 * header that sorts, the pager, and an empty-table row.
 *
 * @module
 */

import type { ComponentChildren } from "preact";
import type { Translate } from "../i18n/index.ts";

/** `url` with `changes` applied to its query (null removes a parameter); page reset unless given. */
export function withQuery(url: URL, changes: Record<string, string | number | null>): string {
  const next = new URL(url);
  if (!("page" in changes)) next.searchParams.delete("page");
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === "") next.searchParams.delete(key);
    else next.searchParams.set(key, String(value));
  }
  return next.pathname + next.search;
}

/** Props of {@linkcode SortHeader}. */
export interface SortHeaderProps {
  url: URL;
  t: Translate;
  /** Sort key of the column (`bytes`); absent: not sortable. */
  sortKey?: string;
  /** The list's current sort (`-bytes`). */
  sort: string;
  /** Direction when first clicked. */
  firstDescending?: boolean;
  class?: string;
  children: ComponentChildren;
}

/** A `<th>` whose label is a link sorting by that column (and reversing it when already sorted). */
export function SortHeader(props: SortHeaderProps) {
  const { url, sortKey, sort } = props;
  if (!sortKey) return <th scope="col" class={props.class}>{props.children}</th>;
  const active = sort === sortKey || sort === `-${sortKey}`;
  const descending = sort === `-${sortKey}`;
  const next = active
    ? (descending ? sortKey : `-${sortKey}`)
    : (props.firstDescending ? `-${sortKey}` : sortKey);
  return (
    <th
      scope="col"
      class={props.class}
      aria-sort={active ? (descending ? "descending" : "ascending") : undefined}
    >
      <a
        href={withQuery(url, { sort: next })}
        title={props.t("common.sort_by", { column: String(props.children) })}
      >
        {props.children}
        <span class="sort-mark" aria-hidden="true">{active ? (descending ? " ▼" : " ▲") : ""}</span>
      </a>
    </th>
  );
}

/** Props of {@linkcode Pager}. */
export interface PagerProps {
  url: URL;
  t: Translate;
  page: number;
  pages: number;
  total: number;
}

/** Previous / next links and where we are. */
export function Pager({ url, t, page, pages, total }: PagerProps) {
  return (
    <nav class="pager" aria-label={t("common.page", { page, pages: Math.max(pages, 1), total })}>
      {page > 1
        ? <a href={withQuery(url, { page: page - 1 })} rel="prev">← {t("common.prev")}</a>
        : <span class="disabled">← {t("common.prev")}</span>}
      <span>{t("common.page", { page, pages: Math.max(pages, 1), total })}</span>
      {page < pages
        ? <a href={withQuery(url, { page: page + 1 })} rel="next">{t("common.next")} →</a>
        : <span class="disabled">{t("common.next")} →</span>}
    </nav>
  );
}

/** A row saying the table is empty. */
export function EmptyRow({ columns, t }: { columns: number; t: Translate }) {
  return (
    <tr>
      <td colSpan={columns} class="empty">{t("common.empty")}</td>
    </tr>
  );
}
