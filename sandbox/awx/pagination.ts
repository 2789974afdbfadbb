/** AWX list queries: exact-field filters and the Django lookups the worker uses, order_by, page-number pagination. */
import { badRequest } from './errors.ts';

const FILTERABLE_FIELDS = ['name', 'id', 'credential_type', 'organization', 'job_template', 'status', 'kind'];

/** One page of `items` as the query asks, with relative next and previous links. */
export function page(url: URL, items: Record<string, unknown>[]) {
  const query = url.searchParams;
  let filtered = items;
  for (const [field, value] of query) {
    if (['page', 'page_size', 'order_by', 'format'].includes(field)) continue;
    if (field === 'created__gte') {
      const since = Date.parse(value);
      filtered = filtered.filter((item) => Date.parse(String(item.created)) >= since);
      continue;
    }
    // A name prefix (one execution's credentials) and a status set.
    if (field === 'name__startswith') {
      filtered = filtered.filter((item) => String(item.name).startsWith(value));
      continue;
    }
    if (field === 'status__in') {
      const statuses = new Set(value.split(','));
      filtered = filtered.filter((item) => statuses.has(String(item.status)));
      continue;
    }
    if (!FILTERABLE_FIELDS.includes(field)) {
      throw badRequest({ detail: `${field} is not an allowed field name. Must be one of the model's fields.` });
    }
    filtered = filtered.filter((item) => String(item[field]) === value);
  }
  const order = query.get('order_by');
  if (order) {
    const field = order.replace(/^-/, '');
    const direction = order.startsWith('-') ? -1 : 1;
    filtered = [...filtered].sort((a, b) => (Number(a[field]) - Number(b[field])) * direction || 0);
  }
  const pageSize = Math.min(Math.max(Number(query.get('page_size') ?? 25) || 25, 1), 200);
  const pageNumber = Math.max(Number(query.get('page') ?? 1) || 1, 1);
  const start = (pageNumber - 1) * pageSize;
  const link = (target: number) => {
    const next = new URLSearchParams(query);
    next.set('page', String(target));
    return `${url.pathname}?${next.toString()}`;
  };
  return {
    count: filtered.length,
    next: start + pageSize < filtered.length ? link(pageNumber + 1) : null,
    previous: pageNumber > 1 ? link(pageNumber - 1) : null,
    results: filtered.slice(start, start + pageSize),
  };
}
