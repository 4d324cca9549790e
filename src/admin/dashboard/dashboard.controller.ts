import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';

/** The page's files, shipped next to this module (scripts/copy-assets.mjs copies them into dist/). */
const ASSETS: Record<string, { type: string; body: string }> = Object.fromEntries(
  [
    ['index.html', 'text/html; charset=utf-8'],
    ['dashboard.js', 'text/javascript; charset=utf-8'],
    ['dashboard.css', 'text/css; charset=utf-8'],
  ].map(([name, type]) => [name, { type: type!, body: readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8') }]),
);

/**
 * The operators' dashboard: static files only, served without a token (they hold no data; the
 * page asks for the token and sends it with each API call). Nothing is loaded from elsewhere,
 * which the Content-Security-Policy enforces.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  @Get()
  @Header('Content-Security-Policy', "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
  page(@Res() response: Response): void {
    send(response, 'index.html');
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    if (file === 'index.html' || !ASSETS[file]) throw new NotFoundException(`No dashboard file ${file}`);
    send(response, file);
  }
}

function send(response: Response, name: string): void {
  const asset = ASSETS[name]!;
  response.setHeader('Content-Type', asset.type);
  response.setHeader('Cache-Control', 'no-cache');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.status(200).send(asset.body);
}
