import { memo, startTransition, useEffect, useState } from 'react';
import Grid from '@mui/material/Grid';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { ServiceCard } from '../../api';
import { useEntityPath } from '../shared/entityPaths';
import { ServiceActions } from './ServiceCardParts';
import { ServiceCardView } from './ServiceCardView';

export type ServiceResultsProps = {
  items: ServiceCard[];
  /** The catalog entities of the items, by entity ref (for Start Using). */
  entities: ReadonlyMap<string, ModelServiceEntityV1alpha1>;
  /** Refs of the services the user has an active subscription to. */
  subscribed?: ReadonlySet<string>;
  /** Called after the Start Using dialog closes (to refresh the state). */
  onSubscribed?: () => void;
};

/** One card of the grid; renders again only when its own inputs change. */
const ServiceGridItem = memo(function GridItem(props: {
  card: ServiceCard;
  path: string;
  entity?: ModelServiceEntityV1alpha1;
  subscribed: boolean;
  onSubscribed?: () => void;
}) {
  const { card, path, entity, subscribed, onSubscribed } = props;
  return (
    <Grid item xs={12} md={6} xl={4} component="li">
      <ServiceCardView
        card={card}
        path={path}
        actions={
          <ServiceActions
            card={card}
            path={path}
            entity={entity}
            subscribed={subscribed}
            onSubscribed={onSubscribed}
          />
        }
      />
    </Grid>
  );
});

/**
 * How many cards the grid renders in its first frame: the ones above the fold
 * at common window sizes. The rest follow at once as a transition, so the first
 * cards are on screen before the whole page of them has been rendered.
 */
export const FIRST_FRAME_CARDS = 6;

export function ServiceCardGrid(props: ServiceResultsProps) {
  const { items, entities, subscribed, onSubscribed } = props;
  const entityPath = useEntityPath();
  const [shown, setShown] = useState(FIRST_FRAME_CARDS);
  useEffect(() => {
    if (items.length <= shown) {
      return undefined;
    }
    const timer = setTimeout(() =>
      startTransition(() => setShown(items.length)),
    );
    return () => clearTimeout(timer);
  }, [items.length, shown]);
  return (
    <Grid container spacing={2} component="ul" sx={{ listStyle: 'none', p: 0 }}>
      {items.slice(0, shown).map(card => (
        <ServiceGridItem
          key={card.ref}
          card={card}
          path={entityPath(card)}
          entity={entities.get(card.ref)}
          subscribed={subscribed?.has(card.ref) ?? false}
          onSubscribed={onSubscribed}
        />
      ))}
    </Grid>
  );
}
