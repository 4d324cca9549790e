import type { NextFunction, Request, Response } from 'express';

/**
 * Keeps the HTTP API to exactly the documented paths and methods, in the API's error shape: a
 * method a known path does not serve gets 405 with an `Allow` header (not the router's 404),
 * and a documented path with a trailing slash gets 404 (the router would otherwise serve
 * `/users/`, meant as a user with an empty id, as the list `/users`).
 */
export function documentedRoutesOnly(routes: { pattern: RegExp; methods: string[] }[]) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.path.length > 1 && request.path.endsWith('/')) {
      const bare = request.path.replace(/\/+$/, '');
      if (routes.some((candidate) => candidate.pattern.test(bare))) {
        response.status(404).json({ status_code: 404, error: 'Not Found', message: `No route ${request.path}: an id may not be empty` });
        return;
      }
    }
    const route = routes.find((candidate) => candidate.pattern.test(request.path));
    if (!route || route.methods.includes(request.method)) return next();
    response.setHeader('Allow', route.methods.join(', '));
    response.status(405).json({ status_code: 405, error: 'Method Not Allowed', message: `${request.method} is not served on ${request.path}; allowed: ${route.methods.join(', ')}` });
  };
}
