/**
 * Turns a page into an HTML answer (preact-render-to-string), and the shared error page.
 *
 * @module
 */

import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { PageContext } from "./context.ts";
import { Layout } from "./components/layout.tsx";

/** The HTML document of `page`. */
export function htmlOf(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

/** An HTML answer. */
export function htmlAnswer(page: VNode, status = 200): Response {
  return new Response(htmlOf(page), {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The error page: what went wrong in one line, and the way back. */
export function ErrorPage({ ctx, message }: { ctx: PageContext; message: string }) {
  return (
    <Layout ctx={ctx} title={ctx.t("error.title")}>
      <p class="error" role="alert">{message}</p>
      <p>
        <a href="/">{ctx.t("error.back")}</a>
      </p>
    </Layout>
  );
}
