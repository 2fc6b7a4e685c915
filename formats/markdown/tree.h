// Tree: the few structural edits the parsers make to a Document's nodes. Children are a doubly
// linked list with first/last pointers in the parent, so appending, inserting after a node,
// unlinking, and moving a run of siblings under a new parent (what emphasis and links do) are
// O(1) per node moved.
#pragma once

#include "formats/markdown/markdown.h"

namespace sfs::markdown {

class Tree {
 public:
  static void append_child(Node* parent, Node* child) {
    child->parent_ = parent;
    child->next_ = nullptr;
    child->previous_ = parent->last_child_;
    if (parent->last_child_) {
      parent->last_child_->next_ = child;
    } else {
      parent->first_child_ = child;
    }
    parent->last_child_ = child;
  }

  // Inserts `node` right after `anchor` (a child of some parent).
  static void insert_after(Node* anchor, Node* node) {
    Node* parent = anchor->parent_;
    node->parent_ = parent;
    node->previous_ = anchor;
    node->next_ = anchor->next_;
    if (anchor->next_) {
      anchor->next_->previous_ = node;
    } else if (parent) {
      parent->last_child_ = node;
    }
    anchor->next_ = node;
  }

  static void unlink(Node* node) {
    if (node->previous_) {
      node->previous_->next_ = node->next_;
    } else if (node->parent_) {
      node->parent_->first_child_ = node->next_;
    }
    if (node->next_) {
      node->next_->previous_ = node->previous_;
    } else if (node->parent_) {
      node->parent_->last_child_ = node->previous_;
    }
    node->parent_ = node->previous_ = node->next_ = nullptr;
  }

  // Moves the siblings strictly between `first_exclusive` and `last_exclusive` (null: to the
  // end) under `container`, which must have no children yet and is then inserted after
  // `first_exclusive`.
  static void wrap_between(Node* first_exclusive, Node* last_exclusive, Node* container) {
    Node* parent = first_exclusive->parent_;
    Node* begin = first_exclusive->next_;
    container->parent_ = parent;
    if (begin != last_exclusive) {
      Node* end = last_exclusive ? last_exclusive->previous_ : parent->last_child_;
      container->first_child_ = begin;
      container->last_child_ = end;
      begin->previous_ = nullptr;
      end->next_ = nullptr;
      for (Node* n = begin; n; n = n->next_) n->parent_ = container;
    }
    container->previous_ = first_exclusive;
    container->next_ = last_exclusive;
    first_exclusive->next_ = container;
    if (last_exclusive) {
      last_exclusive->previous_ = container;
    } else {
      parent->last_child_ = container;
    }
  }
};

}  // namespace sfs::markdown
