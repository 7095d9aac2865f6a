/** Categories whose keywords occur in the text, most matches first: the suggestion when the server cannot be asked. */
export function suggestByKeywords<T extends { code: string; keywords: string[] }>(text: string, categories: T[], limit = 3): T[] {
  const words = text.toLowerCase();
  return categories
    .map((category) => ({ category, hits: category.keywords.filter((keyword) => keyword && words.includes(keyword.toLowerCase())).length }))
    .filter(({ hits }) => hits > 0)
    .sort((a, b) => b.hits - a.hits)
    .slice(0, limit)
    .map(({ category }) => category);
}
