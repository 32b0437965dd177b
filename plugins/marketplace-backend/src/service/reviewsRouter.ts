import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  marketplaceReviewsModeratePermission,
  ServiceReviewsResponse,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { AuditLog } from '../stores/AuditLog';
import { ReviewRow, ReviewStore } from '../stores/ReviewStore';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService } from '../catalog/directoryService';
import { Access, Caller, resourceOf } from './access';
import { plainText } from './plainText';

export interface ReviewsRouterOptions {
  access: Access;
  directory: ServiceDirectory;
  reviews: ReviewStore;
  /** Called after anything changes the aggregate rating of a service. */
  onRatingChanged?: (serviceRef: string) => void;
  /** Where hiding and unhiding reviews is audited. */
  audit?: AuditLog;
}

/** A review as the audit log shows it. */
function auditedReview(r: ReviewRow) {
  return {
    serviceRef: r.service_ref,
    author: r.user_ref,
    title: r.title,
    hidden: r.hidden_at !== null && r.hidden_at !== undefined,
    hiddenReason: r.hidden_reason,
  };
}

/**
 * Verified reviews and ratings (`/marketplace/services/:name/reviews`): users
 * with a successful request review a service (one review each; posting again
 * edits it), vote reviews helpful, delete their own; the service's owners reply;
 * admins hide abusive reviews. Aggregates are read from the database, so they
 * change the moment a review does.
 */
export function createReviewsRouter(
  options: ReviewsRouterOptions,
): express.Router {
  const { access, directory, reviews } = options;
  const router = createApiRouter();
  // Only its own routes: a body parser mounted for every path would set
  // the body limit of the routers mounted after it.
  router.use(
    '/marketplace/services/:name/reviews',
    express.json({ limit: '64kb' }),
  );
  const changed = (ref: string) => options.onRatingChanged?.(ref);

  /** A service the caller may see (as `GET /v1/services/:name`). */
  async function service(req: ApiRequest, me: Caller) {
    const name: string = req.params.name;
    const found = await directory.get(name);
    if (
      !found ||
      (found.status !== 'approved' &&
        !(await access.mayManage(me, resourceOf(found))))
    ) {
      throw new NotFoundError(`No model service named '${name}'`);
    }
    return found;
  }

  function isOwner(me: Caller, ownerRef: string): boolean {
    try {
      const ref = stringifyEntityRef(
        parseEntityRef(ownerRef, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      ).toLocaleLowerCase('en-US');
      return me.ownership.includes(ref);
    } catch {
      return false;
    }
  }

  async function eligibility(me: Caller, s: DirectoryService) {
    // The team that offers a service does not review it.
    if (isOwner(me, s.entity.spec.owner)) {
      return {
        canReview: false,
        reason: `Members of ${s.entity.spec.owner}, which offers the service, do not review it.`,
      };
    }
    const requests = await reviews.successfulRequests(me.userRef, s.ref);
    return requests > 0
      ? { canReview: true, reason: null }
      : {
          canReview: false,
          reason:
            'Only people who used the service review it: make a successful request first (Test API on the API tab counts).',
        };
  }

  async function reviewOf(req: ApiRequest, serviceRef: string) {
    return reviews.get(serviceRef, req.params.reviewId);
  }

  router.get('/marketplace/services/:name/reviews', async (req, res) => {
    const me = await access.caller(req);
    const query = {
      sort: req.query.sort ?? 'newest',
      offset: req.query.offset ?? 0,
      limit: req.query.limit ?? 20,
    };
    const s = await service(req, me);
    const canModerate = await access.allowed(
      me,
      marketplaceReviewsModeratePermission,
    );
    const [summary, page, eligible, mine] = await Promise.all([
      reviews.summary(s.ref),
      reviews.list({
        serviceRef: s.ref,
        viewerRef: me.userRef,
        includeHidden: canModerate,
        ...query,
      }),
      eligibility(me, s),
      reviews.findByUser(s.ref, me.userRef),
    ]);
    const body: ServiceReviewsResponse = {
      summary,
      items: page.items,
      total: page.total,
      offset: query.offset,
      limit: query.limit,
      me: {
        ...eligible,
        review: mine,
        canReply: isOwner(me, s.entity.spec.owner),
        canModerate,
      },
    };
    res.json(body);
  });

  router.post('/marketplace/services/:name/reviews', async (req, res) => {
    const me = await access.caller(req);
    const body = {
      rating: req.body.rating,
      title: plainText(req.body.title, 'title', 'must not be empty'),
      text: plainText(req.body.text ?? '', 'text'),
    };
    const s = await service(req, me);
    const eligible = await eligibility(me, s);
    if (!eligible.canReview) {
      throw new NotAllowedError(eligible.reason ?? 'Not allowed');
    }
    const { created, id } = await reviews.upsert({
      serviceRef: s.ref,
      userRef: me.userRef,
      ...body,
    });
    changed(s.ref);
    res.status(created ? 201 : 200).json({
      review: await reviews.view(s.ref, id, me.userRef),
      summary: await reviews.summary(s.ref),
    });
  });

  router.delete(
    '/marketplace/services/:name/reviews/:reviewId',
    async (req, res) => {
      const me = await access.caller(req);
      const s = await service(req, me);
      const review = await reviewOf(req, s.ref);
      if (review.user_ref !== me.userRef) {
        throw new NotAllowedError('Only its author may delete a review');
      }
      await reviews.delete(review.id);
      changed(s.ref);
      res.json({ summary: await reviews.summary(s.ref) });
    },
  );

  async function vote(req: ApiRequest, helpful: boolean) {
    const me = await access.caller(req);
    const s = await service(req, me);
    const review = await reviewOf(req, s.ref);
    if (review.user_ref === me.userRef) {
      throw new InputError('You cannot vote for your own review');
    }
    if (review.hidden_at !== null && review.hidden_at !== undefined) {
      throw new NotFoundError(`No review '${review.id}' of ${s.ref}`);
    }
    await reviews.vote(review.id, me.userRef, helpful);
    return reviews.view(s.ref, review.id, me.userRef);
  }

  router.post(
    '/marketplace/services/:name/reviews/:reviewId/helpful',
    async (req, res) => {
      res.json({ review: await vote(req, true) });
    },
  );
  router.delete(
    '/marketplace/services/:name/reviews/:reviewId/helpful',
    async (req, res) => {
      res.json({ review: await vote(req, false) });
    },
  );

  async function reply(req: ApiRequest, set: boolean) {
    const me = await access.caller(req);
    const body = set
      ? { text: plainText(req.body.text, 'text', 'must not be empty') }
      : undefined;
    const s = await service(req, me);
    const review = await reviewOf(req, s.ref);
    if (!isOwner(me, s.entity.spec.owner)) {
      throw new NotAllowedError(
        `Only members of ${s.entity.spec.owner}, which offers the service, may reply`,
      );
    }
    await reviews.reply(
      review.id,
      body ? { text: body.text, userRef: me.userRef } : null,
    );
    return reviews.view(s.ref, review.id, me.userRef);
  }

  router.put(
    '/marketplace/services/:name/reviews/:reviewId/reply',
    async (req, res) => {
      res.json({ review: await reply(req, true) });
    },
  );
  router.delete(
    '/marketplace/services/:name/reviews/:reviewId/reply',
    async (req, res) => {
      res.json({ review: await reply(req, false) });
    },
  );

  async function moderate(req: ApiRequest, hide: boolean) {
    const me = await access.caller(req);
    const body = hide
      ? { reason: plainText(req.body.reason, 'reason', 'must not be empty') }
      : undefined;
    const s = await service(req, me);
    const review = await reviewOf(req, s.ref);
    if (!(await access.allowed(me, marketplaceReviewsModeratePermission))) {
      throw new NotAllowedError('Only platform admins may hide reviews');
    }
    await reviews.hide(
      review.id,
      body ? { reason: body.reason, userRef: me.userRef } : null,
      async (tx, before, after) =>
        options.audit?.record(
          {
            actor: me.userRef,
            action: hide ? 'review.hidden' : 'review.unhidden',
            targetType: 'review',
            target: review.id,
            before: auditedReview(before),
            after: auditedReview(after),
          },
          tx,
        ),
    );
    changed(s.ref);
    return {
      review: await reviews.view(s.ref, review.id, me.userRef),
      summary: await reviews.summary(s.ref),
    };
  }

  router.post(
    '/marketplace/services/:name/reviews/:reviewId/hide',
    async (req, res) => {
      res.json(await moderate(req, true));
    },
  );
  router.delete(
    '/marketplace/services/:name/reviews/:reviewId/hide',
    async (req, res) => {
      res.json(await moderate(req, false));
    },
  );

  return router;
}
