import { createContext, useContext, useEffect } from "react";

/** Sets the title of the page shown in the console (breadcrumb and document title); null: the route's own. */
export const PageTitleContext = createContext<(title: string | null) => void>(() => {});

/** A page whose title depends on what it shows (a case's number) names it here while it is shown. */
export function usePageTitle(title: string | null): void {
  const setTitle = useContext(PageTitleContext);
  useEffect(() => {
    setTitle(title);
    return () => setTitle(null);
  }, [title, setTitle]);
}
