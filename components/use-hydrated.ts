import { useSyncExternalStore } from 'react';

const noSubscription = () => () => {};

/** False while the server's HTML is hydrated, true after: for controls that need script to mean anything. */
export const useHydrated = () =>
  useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
