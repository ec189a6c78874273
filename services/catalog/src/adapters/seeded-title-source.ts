import type { TitleSource } from '../application/catalog-queries';
import { generateCatalog, type Title } from '../domain';

/**
 * The titles of the deterministic seed (`tt00001` … `tt<count>`), generated when the service starts:
 * catalog has no database, every replica generates the same catalog.
 */
export class SeededTitleSource implements TitleSource {
  constructor(private readonly count: number) {}

  loadTitles(): readonly Title[] {
    return generateCatalog(this.count);
  }
}
